-- The Prometheus collector's memory between runs, one row per service it
-- pulls from: the last minute whose points are stored (catch-up starts
-- after it) and the target's circuit breaker.
CREATE TABLE collector_targets (
    service_id           bigint      PRIMARY KEY REFERENCES services (id) ON DELETE CASCADE,
    -- The source the state is about: a new URL is a new server, whose
    -- breaker starts closed.
    source_url           text        NOT NULL,
    last_collected       timestamptz,
    consecutive_failures integer     NOT NULL DEFAULT 0 CHECK (consecutive_failures >= 0),
    circuit_opened_at    timestamptz,            -- NULL while the circuit is closed
    last_attempt         timestamptz,
    last_error           text        NOT NULL DEFAULT '',
    updated_at           timestamptz NOT NULL DEFAULT now()
);
