"""Dagster assets by layer: raw captures, core tables."""
