package io.quantsignals.bench;

import io.quantsignals.core.params.StrategyParams;
import io.quantsignals.core.strategy.MetricRow;
import io.quantsignals.core.strategy.SmaCrossStrategy;
import io.quantsignals.job.sink.CopySink;
import io.quantsignals.core.db.PgBinary;

/**
 * The strategy_metrics rows job (c) writes, computed up front by the pure strategy from the very
 * same ticks (tick bars: one row per tick), held column-wise so that 2M rows cost ~170 MB. The DB
 * benchmarks (d) write these, so they store realistic values, not synthetic ones.
 */
final class MetricRows {

    final int size;
    final String runId;
    final String[] symbolNames;
    final long[] metricTime;
    final int[] symbol;
    final double[] price;
    /** NaN: NULL (SMA not yet defined). */
    final double[] smaFast;
    final double[] smaSlow;
    final byte[] position;
    final double[] grossReturn;
    final double[] transactionCost;
    final double[] slippageCost;
    final double[] netReturn;
    final double[] cumulativeReturn;
    final double[] drawdown;

    MetricRows(int size, int symbols, long seed, StrategyParams tickBarParams, String runId) {
        if (tickBarParams.barIntervalSeconds() != 0) {
            throw new IllegalArgumentException("one row per tick needs tick bars");
        }
        this.size = size;
        this.runId = runId;
        metricTime = new long[size];
        symbol = new int[size];
        price = new double[size];
        smaFast = new double[size];
        smaSlow = new double[size];
        position = new byte[size];
        grossReturn = new double[size];
        transactionCost = new double[size];
        slippageCost = new double[size];
        netReturn = new double[size];
        cumulativeReturn = new double[size];
        drawdown = new double[size];
        TickGenerator gen = new TickGenerator(seed, symbols);
        symbolNames = new String[symbols];
        SmaCrossStrategy[] strategies = new SmaCrossStrategy[symbols];
        for (int s = 0; s < symbols; s++) {
            symbolNames[s] = gen.name(s);
            strategies[s] = new SmaCrossStrategy(tickBarParams);
        }
        for (int i = 0; i < size; i++) {
            gen.next();
            MetricRow m = strategies[gen.symbol].onBar(gen.tsMillis, gen.priceScaled()).metric();
            metricTime[i] = m.metricTime();
            symbol[i] = gen.symbol;
            price[i] = m.price();
            smaFast[i] = m.smaFast() == null ? Double.NaN : m.smaFast();
            smaSlow[i] = m.smaSlow() == null ? Double.NaN : m.smaSlow();
            position[i] = (byte) m.position();
            grossReturn[i] = m.grossReturn();
            transactionCost[i] = m.transactionCost();
            slippageCost[i] = m.slippageCost();
            netReturn[i] = m.netReturn();
            cumulativeReturn[i] = m.cumulativeReturn();
            drawdown[i] = m.drawdown();
        }
    }

    /** Row {@code i} in binary COPY form (the column order of {@link CopySink#METRICS}). */
    void encode(int i, PgBinary out) {
        out.row(13);
        out.timestampMillisField(metricTime[i]);
        out.uuidField(runId);
        out.textField(symbolNames[symbol[i]]);
        out.float8Field(price[i]);
        nullable(out, smaFast[i]);
        nullable(out, smaSlow[i]);
        out.int2Field(position[i]);
        out.float8Field(grossReturn[i]);
        out.float8Field(transactionCost[i]);
        out.float8Field(slippageCost[i]);
        out.float8Field(netReturn[i]);
        out.float8Field(cumulativeReturn[i]);
        out.float8Field(drawdown[i]);
    }

    private static void nullable(PgBinary out, double v) {
        if (Double.isNaN(v)) {
            out.nul();
        } else {
            out.float8Field(v);
        }
    }
}
