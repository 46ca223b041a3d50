-- Schemas of the warehouse, one per layer.
CREATE SCHEMA IF NOT EXISTS raw;          -- captures as received: manifest, quarantine
CREATE SCHEMA IF NOT EXISTS methodology;  -- the index's rules as data
CREATE SCHEMA IF NOT EXISTS core;         -- normalised, typed, one row per fact
CREATE SCHEMA IF NOT EXISTS mart;         -- derived for people (stable analyst contract)
CREATE SCHEMA IF NOT EXISTS ops;          -- operational logs: fetch attempts, normalisations
