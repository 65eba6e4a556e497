package localrt

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Report is what Lambda's REPORT line says about one invocation.
type Report struct {
	RequestID string
	Function  string // logical ID; not part of the line
	Duration  time.Duration
	// BilledDuration is Duration rounded up to the millisecond; for
	// provided.* (OS-only) runtimes Lambda bills the init phase too.
	BilledDuration  time.Duration
	MemorySizeMB    int
	MaxMemoryUsedMB int
	// InitDuration is set on cold starts only: from process start to the
	// runtime's first /next.
	InitDuration time.Duration
	// Status is "" for a completed invocation (a function error included),
	// "timeout" or "error" (the runtime crashed or failed to start).
	Status    string
	ErrorType string
}

// Cold reports whether the invocation started a new instance.
func (r Report) Cold() bool { return r.InitDuration > 0 }

// String formats the line as Lambda writes it to CloudWatch Logs.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB",
		r.RequestID, ms(r.Duration), r.BilledDuration.Milliseconds(), r.MemorySizeMB, r.MaxMemoryUsedMB)
	if r.InitDuration > 0 {
		fmt.Fprintf(&b, "\tInit Duration: %.2f ms", ms(r.InitDuration))
	}
	if r.Status != "" {
		fmt.Fprintf(&b, "\tStatus: %s", r.Status)
	}
	if r.ErrorType != "" {
		fmt.Fprintf(&b, "\tError Type: %s", r.ErrorType)
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// billed rounds up to the next whole millisecond, as Lambda bills.
func billed(d time.Duration) time.Duration {
	return time.Duration(math.Ceil(ms(d))) * time.Millisecond
}

// ParseReport reads a REPORT line back (Function stays empty). Tests and
// benchmark harnesses use it on captured logs.
func ParseReport(line string) (Report, error) {
	rest, ok := strings.CutPrefix(strings.TrimRight(line, "\t\r\n"), "REPORT ")
	if !ok {
		return Report{}, fmt.Errorf("not a REPORT line: %q", line)
	}
	var r Report
	seen := map[string]bool{}
	for _, field := range strings.Split(rest, "\t") {
		key, val, ok := strings.Cut(field, ": ")
		if !ok {
			return Report{}, fmt.Errorf("REPORT field %q: want Key: value", field)
		}
		seen[key] = true
		var err error
		switch key {
		case "RequestId":
			r.RequestID = val
		case "Duration":
			r.Duration, err = parseMs(val)
		case "Billed Duration":
			r.BilledDuration, err = parseMs(val)
		case "Init Duration":
			r.InitDuration, err = parseMs(val)
		case "Memory Size":
			r.MemorySizeMB, err = parseMB(val)
		case "Max Memory Used":
			r.MaxMemoryUsedMB, err = parseMB(val)
		case "Status":
			r.Status = val
		case "Error Type":
			r.ErrorType = val
		default:
			err = fmt.Errorf("unknown field")
		}
		if err != nil {
			return Report{}, fmt.Errorf("REPORT field %q: %v", field, err)
		}
	}
	for _, k := range []string{"RequestId", "Duration", "Billed Duration", "Memory Size", "Max Memory Used"} {
		if !seen[k] {
			return Report{}, fmt.Errorf("REPORT line lacks %s: %q", k, line)
		}
	}
	return r, nil
}

func parseMs(s string) (time.Duration, error) {
	v, ok := strings.CutSuffix(s, " ms")
	if !ok {
		return 0, fmt.Errorf("want N ms")
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || math.IsInf(f, 0) || f > 1e12 {
		return 0, fmt.Errorf("want a non-negative number of ms")
	}
	return time.Duration(math.Round(f * float64(time.Millisecond))), nil
}

func parseMB(s string) (int, error) {
	v, ok := strings.CutSuffix(s, " MB")
	if !ok {
		return 0, fmt.Errorf("want N MB")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("want a whole number of MB")
	}
	return n, nil
}
