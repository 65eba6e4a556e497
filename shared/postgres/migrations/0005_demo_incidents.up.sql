-- The demo generator (opsight demo). demo_generator holds the parameters its
-- series are a pure function of, so a restarted stream continues them
-- exactly; at most one per database, because the demo owns its services'
-- series. demo_incidents lists every incident it injected, the known answers
-- that detection is checked against.
CREATE TABLE demo_generator (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    seed       bigint      NOT NULL,
    origin     timestamptz NOT NULL,
    days       integer     NOT NULL CHECK (days > 0),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE demo_incidents (
    -- Stable for the generator ("e0-3": epoch and index), so recording the
    -- same incident again changes nothing.
    id          text        PRIMARY KEY,
    -- The service's name rather than a reference: the list records what was
    -- injected, and outlives the service being renamed or deleted.
    service     text        NOT NULL,
    kind        text        NOT NULL CHECK (kind IN ('latency_spike', 'error_burst', 'memory_leak', 'level_shift')),
    metrics     text[]      NOT NULL CHECK (cardinality(metrics) > 0),
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
    description text        NOT NULL
);
CREATE INDEX demo_incidents_starts_at_idx ON demo_incidents (starts_at);
