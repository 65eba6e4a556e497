package localrt

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestReportLine(t *testing.T) {
	tests := []struct {
		r    Report
		line string
	}{
		{Report{RequestID: "r1", Duration: 1234 * time.Microsecond, BilledDuration: 2 * time.Millisecond, MemorySizeMB: 128, MaxMemoryUsedMB: 12, InitDuration: 4560 * time.Microsecond},
			"REPORT RequestId: r1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 12 MB\tInit Duration: 4.56 ms"},
		{Report{RequestID: "r2", Duration: 3 * time.Millisecond, BilledDuration: 3 * time.Millisecond, MemorySizeMB: 256, MaxMemoryUsedMB: 20},
			"REPORT RequestId: r2\tDuration: 3.00 ms\tBilled Duration: 3 ms\tMemory Size: 256 MB\tMax Memory Used: 20 MB"},
		{Report{RequestID: "r3", Duration: time.Second, BilledDuration: time.Second, MemorySizeMB: 128, MaxMemoryUsedMB: 9, Status: "timeout", ErrorType: "Sandbox.Timedout"},
			"REPORT RequestId: r3\tDuration: 1000.00 ms\tBilled Duration: 1000 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tStatus: timeout\tError Type: Sandbox.Timedout"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.line {
			t.Errorf("String\n got %q\nwant %q", got, tt.line)
		}
		back, err := ParseReport(tt.line + "\t\n") // Lambda ends the line with a tab
		if err != nil {
			t.Fatal(err)
		}
		want := tt.r
		want.Duration = want.Duration.Round(10 * time.Microsecond)
		want.InitDuration = want.InitDuration.Round(10 * time.Microsecond)
		if back != want {
			t.Errorf("ParseReport\n got %+v\nwant %+v", back, want)
		}
	}
}

func TestBilled(t *testing.T) {
	for _, tt := range []struct{ in, want time.Duration }{
		{0, 0}, {1, time.Millisecond}, {time.Millisecond, time.Millisecond},
		{1500 * time.Microsecond, 2 * time.Millisecond}, {time.Second + 1, 1001 * time.Millisecond},
	} {
		if got := billed(tt.in); got != tt.want {
			t.Errorf("billed(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseReportErrors(t *testing.T) {
	for _, tt := range []struct{ line, want string }{
		{"START RequestId: x", "not a REPORT line"},
		{"REPORT RequestId: x", "lacks Duration"},
		{"REPORT RequestId: x\tDuration: fast", `want N ms`},
		{"REPORT RequestId: x\tDuration: -1 ms", "non-negative"},
		{"REPORT RequestId: x\tMemory Size: 1.5 MB", "whole number"},
		{"REPORT RequestId: x\tColour: blue", "unknown field"},
		{"REPORT RequestId x", "want Key: value"},
	} {
		if _, err := ParseReport(tt.line); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseReport(%q) err = %v, want %q", tt.line, err, tt.want)
		}
	}
}

func ExampleParseReport() {
	r, err := ParseReport("REPORT RequestId: 8f5c\tDuration: 1.23 ms\tBilled Duration: 6 ms\tMemory Size: 128 MB\tMax Memory Used: 12 MB\tInit Duration: 4.56 ms\t")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Cold(), r.InitDuration, r.MaxMemoryUsedMB)
	// Output: true 4.56ms 12
}

func FuzzParseReport(f *testing.F) {
	f.Add("REPORT RequestId: r1\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 12 MB\tInit Duration: 4.56 ms")
	f.Add("REPORT RequestId: r3\tDuration: 1000.00 ms\tBilled Duration: 1000 ms\tMemory Size: 128 MB\tMax Memory Used: 9 MB\tStatus: timeout")
	f.Fuzz(func(t *testing.T, line string) {
		r, err := ParseReport(line)
		if err != nil {
			return
		}
		if r.Duration < 0 || r.InitDuration < 0 || r.MemorySizeMB < 0 {
			t.Fatalf("accepted negative values: %+v", r)
		}
	})
}
