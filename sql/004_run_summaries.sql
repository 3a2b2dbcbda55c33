-- Per-period summaries of a sweep's runs (issue 12): what `--store-metrics summary` keeps instead of
-- a metric row per bar. One row per (run, symbol, UTC day of the bars' metric_time): additive sums
-- from which the figures of any run of whole days are computed exactly (the whole replay for
-- `sweeps report`, train and test windows for `sweeps walk-forward`). Written by the job, upserted
-- by key: a row is rewritten while its day is open and after a restart. The definitions of the
-- columns are in docs/contract.md §4 ("strategy_run_summaries").
-- Idempotent: every statement may run again on an already migrated database.

CREATE TABLE IF NOT EXISTS strategy_run_summaries (
    strategy_run_id  uuid             NOT NULL REFERENCES strategy_runs (strategy_run_id),
    symbol           text             NOT NULL,
    period_start     timestamptz      NOT NULL,
    bars             bigint           NOT NULL CHECK (bars > 0),
    first_bar_time   timestamptz      NOT NULL,
    last_bar_time    timestamptz      NOT NULL,
    return_mean      double precision NOT NULL,
    return_m2        double precision NOT NULL,
    downside_squares double precision NOT NULL,
    start_equity     double precision NOT NULL,
    end_equity       double precision NOT NULL,
    max_equity       double precision NOT NULL,
    min_equity       double precision NOT NULL,
    period_drawdown  double precision NOT NULL,
    min_drawdown     double precision NOT NULL,
    exposed_bars     bigint           NOT NULL,
    first_close      double precision NOT NULL,
    last_close       double precision NOT NULL,
    trades_closed    integer          NOT NULL,
    trades_won       integer          NOT NULL,
    trades_lost      integer          NOT NULL,
    won_pnl          double precision NOT NULL,
    lost_pnl         double precision NOT NULL,
    pnl_sum          double precision NOT NULL,
    duration_sum_ms  bigint           NOT NULL,
    best_pnl         double precision NULL,
    best_entry_time  timestamptz      NULL,
    best_duration_ms bigint           NULL,
    worst_pnl        double precision NULL,
    worst_entry_time timestamptz      NULL,
    worst_duration_ms bigint          NULL,
    PRIMARY KEY (strategy_run_id, symbol, period_start)
);
