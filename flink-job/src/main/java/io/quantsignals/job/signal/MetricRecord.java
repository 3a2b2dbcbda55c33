package io.quantsignals.job.signal;

import io.quantsignals.core.strategy.MetricRow;

/** One {@code strategy_metrics} row: a completed bar of one run and symbol (Flink POJO). */
public class MetricRecord {
    public String runId;
    public String symbol;
    public long metricTime;
    public double price;
    public Double smaFast;
    public Double smaSlow;
    public int position;
    public double grossReturn;
    public double transactionCost;
    public double slippageCost;
    public double netReturn;
    public double cumulativeReturn;
    public double drawdown;

    public MetricRecord() {
    }

    public MetricRecord(String runId, String symbol, MetricRow m) {
        this.runId = runId;
        this.symbol = symbol;
        this.metricTime = m.metricTime();
        this.price = m.price();
        this.smaFast = m.smaFast();
        this.smaSlow = m.smaSlow();
        this.position = m.position();
        this.grossReturn = m.grossReturn();
        this.transactionCost = m.transactionCost();
        this.slippageCost = m.slippageCost();
        this.netReturn = m.netReturn();
        this.cumulativeReturn = m.cumulativeReturn();
        this.drawdown = m.drawdown();
    }
}
