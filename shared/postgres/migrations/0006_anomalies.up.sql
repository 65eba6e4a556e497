-- The streaming detector's state per series, resumed every run: the
-- serialised detect.Stream, the last point it has seen, and, while the
-- series is in an anomaly, the expected level and value that opened it and
-- when (the anomaly lasts while the series stays half-way out, for a while).
CREATE TABLE detector_state (
    series_id       bigint      PRIMARY KEY REFERENCES series (id) ON DELETE CASCADE,
    state           bytea       NOT NULL,
    fed_until       timestamptz NOT NULL,
    anchor_expected double precision,
    anchor_observed double precision,
    anchor_at       timestamptz,
    updated_at      timestamptz NOT NULL DEFAULT now()
);

-- Anomaly episodes per service: consecutive anomalous minutes merged.
CREATE TABLE anomalies (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service_id  bigint           NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    start_ts    timestamptz      NOT NULL,
    end_ts      timestamptz      NOT NULL,
    open        boolean          NOT NULL DEFAULT true,
    peak_ts     timestamptz      NOT NULL,
    peak_score  double precision NOT NULL,
    severity    text             NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    metrics     text[]           NOT NULL,
    description text             NOT NULL,
    observed    double precision NOT NULL,
    expected    double precision,
    created_at  timestamptz      NOT NULL DEFAULT now(),
    updated_at  timestamptz      NOT NULL DEFAULT now(),
    CHECK (end_ts >= start_ts)
);
CREATE INDEX anomalies_start_idx ON anomalies (start_ts DESC, id DESC);
CREATE INDEX anomalies_service_start_idx ON anomalies (service_id, start_ts DESC, id DESC);
-- At most one open episode per service: the next run extends or closes it.
CREATE UNIQUE INDEX anomalies_one_open_idx ON anomalies (service_id) WHERE open;

-- The multivariate detector's progress per service.
CREATE TABLE service_detector_state (
    service_id bigint      PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
    scored_until timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
