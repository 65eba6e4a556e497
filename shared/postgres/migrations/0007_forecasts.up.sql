-- Forecast models: the current model of each series is a versioned JSON
-- object in object storage; this row points at it.
CREATE TABLE forecast_models (
    series_id    bigint      PRIMARY KEY REFERENCES series (id) ON DELETE CASCADE,
    object_key   text        NOT NULL,
    step_seconds integer     NOT NULL CHECK (step_seconds > 0),
    last_ts      timestamptz NOT NULL,  -- the time of the last fitted value
    fitted_at    timestamptz NOT NULL,
    points       integer     NOT NULL,  -- observations fitted
    summary      text        NOT NULL,  -- methods combined
    notes        text[]      NOT NULL DEFAULT '{}'
);

-- The latest forecast of each series, one row per future step.
CREATE TABLE forecasts (
    series_id bigint           NOT NULL REFERENCES series (id) ON DELETE CASCADE,
    ts        timestamptz      NOT NULL,
    yhat      double precision NOT NULL,
    lo80      double precision NOT NULL,
    hi80      double precision NOT NULL,
    lo95      double precision NOT NULL,
    hi95      double precision NOT NULL,
    PRIMARY KEY (series_id, ts)
);

-- Predicted capacity breaches: when a forecast crosses a configured
-- threshold. earliest: the 95% interval's near bound crosses (a breach is
-- plausible from then); expected: the point forecast crosses; certain: the
-- far bound crosses. NULL: not within the horizon.
CREATE TABLE capacity_breaches (
    series_id    bigint           PRIMARY KEY REFERENCES series (id) ON DELETE CASCADE,
    threshold    double precision NOT NULL,
    direction    text             NOT NULL CHECK (direction IN ('above', 'below')),
    earliest     timestamptz,
    expected     timestamptz,
    certain      timestamptz,
    generated_at timestamptz      NOT NULL
);
