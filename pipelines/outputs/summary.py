"""The short Vietnamese summary of a letter's headline facts, ready to paste."""

from __future__ import annotations

from pipelines.outputs.letter_data import LEVEL_LABELS, LetterData, province_rank
from pipelines.outputs.vietnamese import count, cutoff_label, not_comparable_text, number
from warehouse.periods import period_label

PORTAL_NAME = "Cổng Dịch vụ công quốc gia (dichvucong.gov.vn)"


def source_line(sources: tuple[str, ...]) -> str:
    """``Nguồn: …`` naming where the figures shown came from: the portal, the letters and
    files people ingested (``file_*`` sources), or both. Never names the portal for
    figures that only a file gave."""
    from_files = any(s.startswith("file_") for s in sources)
    from_portal = any(not s.startswith("file_") for s in sources) or not sources
    if from_files and from_portal:
        return (
            f"Nguồn: {PORTAL_NAME} và công văn, tệp số liệu đã nhập vào kho; tổng hợp bằng dvc766."
        )
    if from_files:
        return (
            "Nguồn: công văn, tệp số liệu đã nhập vào kho (không lấy từ Cổng); "
            "tổng hợp bằng dvc766."
        )
    return f"Nguồn: {PORTAL_NAME}, tổng hợp bằng dvc766."


def _movement(rank_move: int | None) -> str:
    if not rank_move:
        return "giữ nguyên thứ hạng"
    return f"{'tăng' if rank_move > 0 else 'giảm'} {abs(rank_move)} bậc"


def _rank_phrase(p: dict) -> str:
    """``xếp hạng 2/34`` over a whole cohort; else the rank a source stated, said to be
    stated (``xếp hạng 21/63 theo nguồn``); else that there is no rank yet."""
    rank, size, stated = province_rank(p)
    if rank is None:
        return "chưa xếp hạng (chưa có đủ số liệu của các đơn vị cùng nhóm)"
    return f"xếp hạng {rank}{f'/{size}' if size else ''}{' theo nguồn' if stated else ''}"


def headline(data: LetterData) -> str:
    """Score, band, rank and their change for the province."""
    p = data.province
    label = period_label(data.period.period_type, data.period.start)
    if data.provisional_label:
        label += f" ({data.provisional_label})"
    if p["total_score"] is None:
        missing = ", ".join(p["missing_groups"] or [])
        return (
            f"{data.province_name}: chưa đủ số liệu để tính tổng điểm {label} "
            f"(thiếu nhóm {missing})."
        )
    text = (
        f"Điểm số {label} của {data.province_name} đạt {number(p['total_score'], 2)}/100 "
        f"điểm, xếp loại {p['band']}, {_rank_phrase(p)}"
    )
    change = data.province_change
    if change is not None:
        previous = period_label(data.period.period_type, data.period.previous().start)
        direction = "tăng" if change["delta_points"] >= 0 else "giảm"
        before = f"{number(change['prev_total_score'], 2)} điểm"
        if change["prev_rank"] is not None:
            before += f", xếp hạng {change['prev_rank']}"
        text += (
            f"; {direction} {number(abs(change['delta_points']), 2)} điểm "
            f"({number(abs(change['delta_pct']), 1)}%) so với {previous} ({before})"
        )
        if change["comparable"]:  # comparable: ranked in both periods (not_ranked)
            text += f", {_movement(change['rank_move'])}"
        else:
            reason = not_comparable_text(change["not_comparable_reason"])
            text += f" (không so sánh được thứ hạng: {reason})"
    text += "."
    ytd = data.year_to_date
    if ytd is not None and ytd["total_score"] is not None:
        text += (
            f" Tổng điểm năm {data.period.year} đến thời điểm chốt: "
            f"{number(ytd['total_score'], 2)}/100, xếp loại {ytd['band']}."
        )
    return text


def band_lines(data: LetterData) -> list[str]:
    """One line per level: units per band, as the letters count them (``02/17``)."""
    lines = []
    for level in ("department", "district", "commune"):
        rows = data.band_counts.filter(data.band_counts["unit_level"] == level)
        if rows.is_empty():
            continue
        by_band = dict(zip(rows["band"].to_list(), rows["unit_count"].to_list(), strict=True))
        size = int(rows["cohort_size"][0])
        parts = [f"{count(int(by_band.get(b, 0)))}/{count(size)} {b}" for b in data.bands]
        lines.append(f"{LEVEL_LABELS[level]}: " + "; ".join(parts) + ".")
    return lines


def _named(rows: list[dict]) -> str:
    """``Sở A, Sở B (81,5 điểm)``: the units tied at one end, with their score."""
    names = ", ".join(r["unit_name"] for r in rows)
    return f"{names} ({number(rows[0]['total_score'], 2)} điểm)"


def end_lines(data: LetterData) -> list[str]:
    """Per level, the first and the last units (all of them when tied), as
    ``mart.top_bottom`` gives them."""
    lines = []
    for level in ("department", data.local_level):
        rows = data.top_bottom.filter(data.top_bottom["unit_level"] == level)
        top = [r for r in rows.iter_rows(named=True) if r["position"] == "top" and r["rank"] == 1]
        bottom = [
            r
            for r in rows.iter_rows(named=True)
            if r["position"] == "bottom" and r["rank_from_bottom"] == 1
        ]
        if top and bottom:
            lines.append(
                f"Dẫn đầu {LEVEL_LABELS[level]}: {_named(top)}; thấp nhất: {_named(bottom)}."
            )
    return lines


def summary_text(data: LetterData) -> str:
    """The whole paste-ready summary."""
    parts = [headline(data), *band_lines(data), *end_lines(data)]
    cutoff = cutoff_label(data.cutoff)
    parts.append(f"Thời điểm chốt số liệu: {cutoff}. {source_line(data.sources)}")
    return "\n".join(parts)
