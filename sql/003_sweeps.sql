-- Parameter sweeps (issue 12): a sweep is a grid of params expanded into ordinary REPLAY runs that
-- share its sweep_id. Each run keeps its own params and params-history row, so everything that
-- reads runs (the job, reports, compare) needs no notion of a sweep.
-- Idempotent: every statement may run again on an already migrated database.

CREATE TABLE IF NOT EXISTS strategy_sweeps (
    sweep_id      uuid        PRIMARY KEY,
    strategy      text        NOT NULL,
    -- The grid as given, normalised: keys in contract order, a scalar as its one-value list,
    -- ranges kept as {"from", "to", "step"}; the runs' params hold the expanded values.
    grid          jsonb       NOT NULL,
    -- What the job should keep of each run's metrics, for the slice that evaluates sweeps.
    store_metrics text        NOT NULL DEFAULT 'summary' CHECK (store_metrics IN ('none', 'summary', 'all')),
    created_by    text        NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Nullable: runs created one by one belong to no sweep.
ALTER TABLE strategy_runs ADD COLUMN IF NOT EXISTS sweep_id uuid NULL REFERENCES strategy_sweeps (sweep_id);
CREATE INDEX IF NOT EXISTS strategy_runs_sweep_idx ON strategy_runs (sweep_id) WHERE sweep_id IS NOT NULL;
