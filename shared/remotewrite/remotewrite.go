// Package remotewrite decodes Prometheus remote_write requests (protocol
// version 1: a snappy-compressed protobuf prometheus.WriteRequest) into
// Opsight samples, so any Prometheus can push to Opsight with two lines of
// configuration.
//
// The protobuf is read with protowire rather than generated types: the
// message is three nested fields deep, and the generated package would pull
// the whole Prometheus module into every bootstrap.
package remotewrite

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/golang/snappy"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/opsight/opsight/shared/aiops"
)

// StaleNaN is the bit pattern Prometheus writes to mark a series stale (it
// disappeared from its target). It is a signal, not a value.
const StaleNaN uint64 = 0x7ff0000000000002

// Result is a decoded request.
type Result struct {
	Samples []aiops.Samples
	// Stale counts staleness markers, honoured by not storing them.
	Stale int
	// Dropped counts other NaN or infinite samples, which Opsight cannot
	// store; the rest of the request is kept.
	Dropped int
}

// Decode decompresses and decodes a remote_write body. Each time series
// becomes one Samples: its service is the "service" label, else "job"
// (normalised to a service name), its metric the "__name__" label, and its
// other labels stay labels.
func Decode(body []byte) (*Result, error) {
	n, err := snappy.DecodedLen(body)
	if err != nil {
		return nil, fmt.Errorf("body is not snappy-compressed (block format): %w", err)
	}
	if n > 64<<20 {
		return nil, fmt.Errorf("body decompresses to %d bytes; the limit is 64 MiB", n)
	}
	raw, err := snappy.Decode(nil, body)
	if err != nil {
		return nil, fmt.Errorf("body is not snappy-compressed (block format): %w", err)
	}
	res := &Result{}
	for i := 0; len(raw) > 0; {
		num, typ, m := protowire.ConsumeTag(raw)
		if m < 0 {
			return nil, fmt.Errorf("WriteRequest: %w", protowire.ParseError(m))
		}
		raw = raw[m:]
		if num == 1 && typ == protowire.BytesType {
			ts, m := protowire.ConsumeBytes(raw)
			if m < 0 {
				return nil, fmt.Errorf("timeseries %d: %w", i, protowire.ParseError(m))
			}
			raw = raw[m:]
			if err := res.addSeries(i, ts); err != nil {
				return nil, fmt.Errorf("timeseries %d: %w", i, err)
			}
			i++
			continue
		}
		// Metadata (field 3) and unknown fields are skipped.
		m = protowire.ConsumeFieldValue(num, typ, raw)
		if m < 0 {
			return nil, fmt.Errorf("WriteRequest: %w", protowire.ParseError(m))
		}
		raw = raw[m:]
	}
	return res, nil
}

func (res *Result) addSeries(i int, b []byte) error {
	labels := map[string]string{}
	var points []aiops.Point
	for len(b) > 0 {
		num, typ, m := protowire.ConsumeTag(b)
		if m < 0 {
			return protowire.ParseError(m)
		}
		b = b[m:]
		switch {
		case num == 1 && typ == protowire.BytesType: // Label
			lb, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return protowire.ParseError(m)
			}
			b = b[m:]
			name, value, err := label(lb)
			if err != nil {
				return err
			}
			labels[name] = value
		case num == 2 && typ == protowire.BytesType: // Sample
			sb, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return protowire.ParseError(m)
			}
			b = b[m:]
			v, ts, err := sample(sb)
			if err != nil {
				return err
			}
			switch bits := math.Float64bits(v); {
			case bits == StaleNaN:
				res.Stale++
			case math.IsNaN(v) || math.IsInf(v, 0):
				res.Dropped++
			default:
				points = append(points, aiops.Point{T: time.UnixMilli(ts).UTC(), V: v})
			}
		default: // exemplars, histograms (native histograms are not stored yet)
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return protowire.ParseError(m)
			}
			b = b[m:]
		}
	}
	name := labels["__name__"]
	if name == "" {
		return errors.New("no __name__ label")
	}
	delete(labels, "__name__")
	service := labels["service"]
	if service != "" {
		delete(labels, "service")
	} else if service = labels["job"]; service != "" {
		delete(labels, "job")
	} else {
		return fmt.Errorf("series %s has neither a service nor a job label to file it under", name)
	}
	if len(points) == 0 {
		return nil
	}
	res.Samples = append(res.Samples, aiops.Samples{
		SeriesKey: aiops.SeriesKey{Service: ServiceName(service), Metric: name, Labels: labels},
		Points:    points,
	})
	return nil
}

func label(b []byte) (name, value string, err error) {
	for len(b) > 0 {
		num, typ, m := protowire.ConsumeTag(b)
		if m < 0 {
			return "", "", protowire.ParseError(m)
		}
		b = b[m:]
		if typ != protowire.BytesType || (num != 1 && num != 2) {
			m = protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return "", "", protowire.ParseError(m)
			}
			b = b[m:]
			continue
		}
		s, m := protowire.ConsumeString(b)
		if m < 0 {
			return "", "", protowire.ParseError(m)
		}
		b = b[m:]
		if num == 1 {
			name = s
		} else {
			value = s
		}
	}
	if name == "" {
		return "", "", errors.New("label with an empty name")
	}
	return name, value, nil
}

func sample(b []byte) (value float64, ts int64, err error) {
	for len(b) > 0 {
		num, typ, m := protowire.ConsumeTag(b)
		if m < 0 {
			return 0, 0, protowire.ParseError(m)
		}
		b = b[m:]
		switch {
		case num == 1 && typ == protowire.Fixed64Type:
			u, m := protowire.ConsumeFixed64(b)
			if m < 0 {
				return 0, 0, protowire.ParseError(m)
			}
			b, value = b[m:], math.Float64frombits(u)
		case num == 2 && typ == protowire.VarintType:
			u, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return 0, 0, protowire.ParseError(m)
			}
			b, ts = b[m:], int64(u)
		default:
			m := protowire.ConsumeFieldValue(num, typ, b)
			if m < 0 {
				return 0, 0, protowire.ParseError(m)
			}
			b = b[m:]
		}
	}
	return value, ts, nil
}

var notServiceChar = regexp.MustCompile(`[^a-z0-9._-]+`)

// ServiceName turns a job or service label into a valid service name:
// lower case, other characters as '-', at most 63 characters.
func ServiceName(s string) string {
	s = notServiceChar.ReplaceAllString(strings.ToLower(s), "-")
	s = strings.TrimLeft(s, "._-")
	if len(s) > 63 {
		s = s[:63]
	}
	if s == "" {
		return "unknown"
	}
	return s
}

// Encode builds a remote_write body; tests and the demo use it to push like
// Prometheus does.
func Encode(batch []aiops.Samples) []byte {
	var out []byte
	for _, s := range batch {
		var ts []byte
		names := make([]string, 0, len(s.Labels)+2)
		all := map[string]string{"__name__": s.Metric, "service": s.Service}
		for k, v := range s.Labels {
			all[k] = v
		}
		for k := range all {
			names = append(names, k)
		}
		sort.Strings(names) // Prometheus sends labels sorted
		for _, k := range names {
			var lb []byte
			lb = protowire.AppendTag(lb, 1, protowire.BytesType)
			lb = protowire.AppendString(lb, k)
			lb = protowire.AppendTag(lb, 2, protowire.BytesType)
			lb = protowire.AppendString(lb, all[k])
			ts = protowire.AppendTag(ts, 1, protowire.BytesType)
			ts = protowire.AppendBytes(ts, lb)
		}
		for _, p := range s.Points {
			var sb []byte
			sb = protowire.AppendTag(sb, 1, protowire.Fixed64Type)
			sb = protowire.AppendFixed64(sb, math.Float64bits(p.V))
			sb = protowire.AppendTag(sb, 2, protowire.VarintType)
			sb = protowire.AppendVarint(sb, uint64(p.T.UnixMilli()))
			ts = protowire.AppendTag(ts, 2, protowire.BytesType)
			ts = protowire.AppendBytes(ts, sb)
		}
		out = protowire.AppendTag(out, 1, protowire.BytesType)
		out = protowire.AppendBytes(out, ts)
	}
	return snappy.Encode(nil, out)
}
