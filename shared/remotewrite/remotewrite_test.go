package remotewrite

import (
	"math"
	"testing"
	"time"

	"github.com/golang/snappy"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/opsight/opsight/shared/aiops"
)

var t0 = time.UnixMilli(1_764_000_000_123).UTC()

func TestRoundTrip(t *testing.T) {
	in := []aiops.Samples{
		{SeriesKey: aiops.SeriesKey{Service: "checkout", Metric: "http_requests_total", Labels: map[string]string{"code": "500", "instance": "10.0.0.1:8080"}},
			Points: []aiops.Point{{T: t0, V: 12}, {T: t0.Add(15 * time.Second), V: 14}}},
		{SeriesKey: aiops.SeriesKey{Service: "ledger", Metric: "up"}, Points: []aiops.Point{{T: t0, V: 1}}},
	}
	res, err := Decode(Encode(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Samples) != 2 || res.Stale != 0 || res.Dropped != 0 {
		t.Fatalf("result = %+v", res)
	}
	got := res.Samples[0]
	if got.Service != "checkout" || got.Metric != "http_requests_total" || got.Labels["code"] != "500" || len(got.Labels) != 2 ||
		!got.Points[1].T.Equal(t0.Add(15*time.Second)) || got.Points[1].V != 14 {
		t.Fatalf("series = %+v", got)
	}
}

func TestStalenessAndNaN(t *testing.T) {
	stale := math.Float64frombits(StaleNaN)
	in := []aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: "a", Metric: "m"}, Points: []aiops.Point{
		{T: t0, V: 1}, {T: t0.Add(time.Second), V: stale}, {T: t0.Add(2 * time.Second), V: math.NaN()}, {T: t0.Add(3 * time.Second), V: math.Inf(1)},
	}}}
	res, err := Decode(Encode(in))
	if err != nil {
		t.Fatal(err)
	}
	if res.Stale != 1 || res.Dropped != 2 || len(res.Samples) != 1 || len(res.Samples[0].Points) != 1 {
		t.Fatalf("result = %+v", res)
	}
	if err := aiops.ValidateSamples(res.Samples, t0); err != nil {
		t.Fatalf("decoded samples do not validate: %v", err)
	}
}

// A series filed under its job when it has no service label, as a plain
// Prometheus scrape config produces.
func TestJobBecomesService(t *testing.T) {
	var lb, ts, req []byte
	addLabel := func(k, v string) {
		lb = lb[:0]
		lb = protowire.AppendTag(lb, 1, protowire.BytesType)
		lb = protowire.AppendString(lb, k)
		lb = protowire.AppendTag(lb, 2, protowire.BytesType)
		lb = protowire.AppendString(lb, v)
		ts = protowire.AppendTag(ts, 1, protowire.BytesType)
		ts = protowire.AppendBytes(ts, lb)
	}
	addLabel("__name__", "up")
	addLabel("job", "Node Exporter")
	var sb []byte
	sb = protowire.AppendTag(sb, 1, protowire.Fixed64Type)
	sb = protowire.AppendFixed64(sb, math.Float64bits(1))
	sb = protowire.AppendTag(sb, 2, protowire.VarintType)
	sb = protowire.AppendVarint(sb, uint64(t0.UnixMilli()))
	ts = protowire.AppendTag(ts, 2, protowire.BytesType)
	ts = protowire.AppendBytes(ts, sb)
	req = protowire.AppendTag(req, 1, protowire.BytesType)
	req = protowire.AppendBytes(req, ts)
	res, err := Decode(snappy.Encode(nil, req))
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Samples[0]; s.Service != "node-exporter" || len(s.Labels) != 0 {
		t.Fatalf("series = %+v", s)
	}
}

func TestDecodeErrors(t *testing.T) {
	for name, body := range map[string][]byte{
		"not snappy": []byte("plain text"),
		"truncated":  snappy.Encode(nil, []byte{0x0a, 0x10, 0x0a}),
		"no name":    Encode([]aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: "a"}, Points: []aiops.Point{{T: t0, V: 1}}}}),
	} {
		if _, err := Decode(body); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestServiceName(t *testing.T) {
	for in, want := range map[string]string{"Checkout API": "checkout-api", "kube/state": "kube-state", "-x": "x", "": "unknown", "__": "unknown"} {
		if got := ServiceName(in); got != want {
			t.Errorf("ServiceName(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode([]aiops.Samples{{SeriesKey: aiops.SeriesKey{Service: "a", Metric: "m", Labels: map[string]string{"x": "y"}}, Points: []aiops.Point{{T: t0, V: 1}}}}))
	f.Add([]byte{})
	f.Add(snappy.Encode(nil, []byte{0x0a, 0x02, 0x12, 0x00}))
	f.Fuzz(func(t *testing.T, body []byte) {
		res, err := Decode(body)
		if err != nil {
			return
		}
		for _, s := range res.Samples {
			if s.Metric == "" || s.Service == "" || len(s.Points) == 0 {
				t.Fatalf("incomplete series %+v", s)
			}
			for _, p := range s.Points {
				if math.IsNaN(p.V) || math.IsInf(p.V, 0) {
					t.Fatalf("non-finite value kept: %+v", p)
				}
			}
		}
	})
}
