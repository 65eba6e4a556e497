-- Range queries read one series' rows in time order. Rows of many series
-- are written interleaved (every minute brings every series' point), so a
-- week of one series sits on as many heap pages as it has rows; with the
-- values in the primary key's index, the same query reads a few
-- consecutive index pages instead (an index-only scan).
ALTER TABLE rollup_5m DROP CONSTRAINT rollup_5m_pkey,
    ADD PRIMARY KEY (series_id, bucket) INCLUDE (min, max, sum, count);
ALTER TABLE rollup_1h DROP CONSTRAINT rollup_1h_pkey,
    ADD PRIMARY KEY (series_id, bucket) INCLUDE (min, max, sum, count);
ALTER TABLE points DROP CONSTRAINT points_pkey,
    ADD PRIMARY KEY (series_id, ts) INCLUDE (value);
