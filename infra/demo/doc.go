// Package demo makes a newcomer's first `make run` show a living system: six
// realistic services (APIs, a worker, a database, a process engine) with
// Days of one-minute history and live points every minute after that.
//
// The series have what real ones have, so that dashboards, health scores,
// detectors and forecasts have something true to show: daily and weekly
// cycles (a midday peak, quiet nights, lighter weekends), slow growth,
// multiplicative noise on rates and heavy tails on latency, and ties between
// metrics (replicas and CPU follow traffic, latency follows load and
// errors, the database's queries follow its clients' requests). Into them
// go incidents of four kinds, about one a day — latency spikes, error
// bursts, memory leaks ending in an OOM restart, and CPU level shifts after
// a deploy — each listed (demo_incidents, `opsight demo --list`) so later
// work can check that detection finds them.
//
// Everything is a function of (seed, origin, minute): Backfill writes the
// history straight to the database, Stream continues it through the API as
// an agent would, and a stream restarted after any pause fills the gap with
// exactly the values it would have sent.
package demo
