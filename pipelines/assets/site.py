"""out_portal__site: the static site (Vietnamese pages) built from the published file
after each publication into ``DVC766_SITE`` (when set), for the periods the run captured
and only those whose data changed; after a nightly run it also posts the summary text to
the configured webhook (``DVC766_WEBHOOK_URL``)."""

import dagster as dg

from pipelines import settings
from pipelines.outputs.webhook import nightly_summary, post_text
from pipelines.partitions import month_of_key, monthly_partitions
from pipelines.resources import WarehouseResource
from pipelines.site.build import build_site
from warehouse.periods import Period
from warehouse.publish import published_path

NIGHTLY_SCHEDULE = "nightly_portal_capture"


@dg.asset(
    key="out_portal__site",
    group_name="publish",
    deps=[dg.AssetKey("published_warehouse")],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"html"},
    owners=["team:dvc766"],
    description=(
        "The static site in Vietnamese (national table, province and unit pages, JSON "
        "beside each page) built from the published file into DVC766_SITE when set, for "
        "the periods the run captured; skipped when the file is unchanged, and only the "
        "periods whose data changed are rewritten. After a nightly run, posts the summary "
        "to DVC766_WEBHOOK_URL when set."
    ),
)
def out_portal__site(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Build the site, then post the nightly summary when configured."""
    database = published_path(warehouse.path)
    out = settings.site_dir()
    metadata: dict[str, dg.MetadataValue | str | int | bool] = {}
    if out is None:
        metadata["built"] = False
        metadata["reason"] = "DVC766_SITE chưa đặt: trang web chỉ dựng khi chạy dvc766 site"
    else:
        # every period holding one of the run's months (the month, its quarter, half
        # and year): those the run can have changed; unchanged ones are skipped
        periods = {
            period
            for key in context.partition_keys
            for month in [month_of_key(key)]
            for period in (
                Period("month", month),
                Period.quarter_of(month),
                Period.half_of(month),
                Period.year_of(month),
            )
        }
        build = build_site(database, out, only=sorted(periods))
        metadata.update(
            built=True,
            folder=dg.MetadataValue.path(str(out)),
            unchanged=build.unchanged,
            periods_built=", ".join(build.built) or "—",
            periods_skipped=len(build.skipped),
            pages=build.pages,
        )
    hook = settings.webhook()
    if hook is not None and context.run.tags.get("dagster/schedule_name") == NIGHTLY_SCHEDULE:
        month = Period("month", settings.today().replace(day=1))
        text = nightly_summary(database, hook.provinces, month) if hook.provinces else ""
        if text:
            metadata["webhook_posted"] = post_text(hook.url, text, timeout_s=hook.timeout_s)
    return dg.MaterializeResult(metadata=metadata)
