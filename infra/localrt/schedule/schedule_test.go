package schedule

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestNext(t *testing.T) {
	tests := []struct {
		expr, tz, after, want string // want "" = never
	}{
		{"rate(1 minute)", "", "2026-01-01T10:02:30Z", "2026-01-01T10:03:30Z"},
		{"rate(5 minutes)", "", "2026-01-01T10:02:30Z", "2026-01-01T10:07:30Z"},
		{"rate(2 hours)", "", "2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z"},
		{"rate(1 day)", "", "2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"},
		{"cron(0/5 * * * ? *)", "", "2026-01-01T10:02:30Z", "2026-01-01T10:05:00Z"},
		{"cron(0/5 * * * ? *)", "", "2026-01-01T10:05:00Z", "2026-01-01T10:10:00Z"},
		{"cron(0 10 * * ? *)", "", "2026-01-01T10:00:00Z", "2026-01-02T10:00:00Z"},
		{"cron(0 18 ? * MON-FRI *)", "", "2026-01-03T00:00:00Z", "2026-01-05T18:00:00Z"}, // Saturday -> Monday
		{"cron(0 8 1 * ? *)", "", "2026-01-15T00:00:00Z", "2026-02-01T08:00:00Z"},
		{"cron(0 12 L * ? *)", "", "2024-02-01T00:00:00Z", "2024-02-29T12:00:00Z"}, // leap year
		{"cron(0 12 L * ? *)", "", "2026-02-01T00:00:00Z", "2026-02-28T12:00:00Z"},
		{"cron(0 9 15W * ? *)", "", "2026-02-01T00:00:00Z", "2026-02-16T09:00:00Z"},   // the 15th is a Sunday
		{"cron(0 9 14W * ? *)", "", "2026-03-01T00:00:00Z", "2026-03-13T09:00:00Z"},   // the 14th is a Saturday
		{"cron(0 0 1W * ? 2026)", "", "2026-07-15T00:00:00Z", "2026-08-03T00:00:00Z"}, // Saturday the 1st -> Monday the 3rd
		{"cron(0 0 31W * ? *)", "", "2026-05-01T00:00:00Z", "2026-05-29T00:00:00Z"},   // Sunday the 31st -> Friday the 29th
		{"cron(15 10 ? * 6L 2019-2022)", "", "2022-01-01T00:00:00Z", "2022-01-28T10:15:00Z"},
		{"cron(15 10 ? * 6L 2019-2022)", "", "2022-12-31T00:00:00Z", ""},
		{"cron(30 14 ? * 3#2 *)", "", "2026-01-01T00:00:00Z", "2026-01-13T14:30:00Z"}, // second Tuesday
		{"cron(30 14 ? * TUE#5 *)", "", "2026-01-01T00:00:00Z", "2026-03-31T14:30:00Z"},
		{"cron(0 0 ? * L *)", "", "2026-01-01T00:00:00Z", "2026-01-03T00:00:00Z"}, // L = Saturday
		{"cron(0 0 ? * 1 *)", "", "2026-01-01T00:00:00Z", "2026-01-04T00:00:00Z"}, // 1 = Sunday
		{"cron(0 0 1 JAN,jul ? *)", "", "2026-02-01T00:00:00Z", "2026-07-01T00:00:00Z"},
		{"cron(0 0 1 1 ? 2030/2)", "", "2026-02-01T00:00:00Z", "2030-01-01T00:00:00Z"},
		{"cron(0 0 31 2 ? *)", "", "2026-01-01T00:00:00Z", ""}, // February never has a 31st
		{"cron(5-10/5,30 1 * * ? *)", "", "2026-01-01T01:06:00Z", "2026-01-01T01:10:00Z"},
		{"cron(0 2 * * ? *)", "Europe/Berlin", "2026-01-10T00:00:00Z", "2026-01-10T01:00:00Z"},
		{"cron(0 2 * * ? *)", "Europe/Berlin", "2026-07-10T00:00:00Z", "2026-07-11T00:00:00Z"},
		{"at(2026-03-01T09:00:00)", "", "2026-01-01T00:00:00Z", "2026-03-01T09:00:00Z"},
		{"at(2026-03-01T09:00:00)", "America/New_York", "2026-01-01T00:00:00Z", "2026-03-01T14:00:00Z"},
		{"at(2026-03-01T09:00:00)", "", "2026-04-01T00:00:00Z", ""},
	}
	for _, tt := range tests {
		t.Run(tt.expr+"/"+tt.after, func(t *testing.T) {
			s, err := Parse(tt.expr)
			if err != nil {
				t.Fatal(err)
			}
			if tt.tz != "" {
				loc, err := time.LoadLocation(tt.tz)
				if err != nil {
					t.Fatal(err)
				}
				s = s.In(loc)
			}
			got := s.Next(mustTime(t, tt.after))
			if tt.want == "" {
				if !got.IsZero() {
					t.Fatalf("Next = %v, want never", got)
				}
				return
			}
			if want := mustTime(t, tt.want); !got.Equal(want) {
				t.Fatalf("Next = %v, want %v", got.UTC(), want)
			}
		})
	}
}

// Around daylight-saving changes Next must keep moving forward.
func TestNextAcrossDST(t *testing.T) {
	for _, tc := range []struct{ tz, expr, from string }{
		{"America/New_York", "cron(* 0-3 * * ? *)", "2026-10-31T12:00:00Z"}, // fall back: 01:xx happens twice
		{"Europe/Berlin", "cron(0/7 1-3 * * ? *)", "2026-03-28T12:00:00Z"},  // spring forward: 02:xx is skipped
	} {
		loc, err := time.LoadLocation(tc.tz)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Parse(tc.expr)
		if err != nil {
			t.Fatal(err)
		}
		s = s.In(loc)
		prev := mustTime(t, tc.from)
		for i := 0; i < 500; i++ {
			n := s.Next(prev)
			if !n.After(prev) {
				t.Fatalf("%s in %s: Next(%v) = %v does not move forward", tc.expr, tc.tz, prev, n)
			}
			if h := n.In(loc).Hour(); h > 3 {
				t.Fatalf("%s in %s: fired at hour %d", tc.expr, tc.tz, h)
			}
			prev = n
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ expr, want string }{
		{"", "want rate(...), cron(...) or at(...)"},
		{"every 5 minutes", "want rate(...), cron(...) or at(...)"},
		{"rate(5 minutes", "missing closing parenthesis"},
		{"rate(5)", "want rate(value unit)"},
		{"rate(5 minute)", `AWS requires "minutes"`},
		{"rate(1 hours)", `AWS requires "hour"`},
		{"rate(0 minutes)", "must be a positive integer"},
		{"rate(-1 minutes)", "must be a positive integer"},
		{"rate(5 weeks)", "must be minute(s), hour(s) or day(s)"},
		{"rate(99999999999 days)", "is longer than"},
		{"cron(* * * * ?)", "cron needs 6 fields"},
		{"cron(0 12 * * * *)", "exactly one of day-of-month (*) and day-of-week (*) must be ?"},
		{"cron(0 12 ? * ? *)", "exactly one of"},
		{"cron(60 * * * ? *)", `minutes "60": 60 is outside 0-59`},
		{"cron(0 24 * * ? *)", "hours"},
		{"cron(0 0 0 * ? *)", "day-of-month"},
		{"cron(0 0 ? * 0 *)", `day-of-week "0": 0 is outside 1-7`},
		{"cron(0 0 ? * 8 *)", "outside 1-7"},
		{"cron(0 0 1 FOO ? *)", `"FOO" is not a number or JAN-DEC`},
		{"cron(0 0 ? * FUNDAY *)", "or SUN-SAT"},
		{"cron(0 0 5-1 * ? *)", "runs backwards"},
		{"cron(0 0 1 * ? 1969)", "outside 1970-2199"},
		{"cron(*/0 * * * ? *)", "step \"0\" must be a positive integer"},
		{"cron(0 0 ? * 3#6 *)", "must be 1-5"},
		{"cron(0 0 ? * X#2 *)", "want day#week"},
		{"cron(0 0 L,5 * ? *)", "must stand alone"},
		{"cron(? 0 1 * ? *)", "must stand alone"},
		{"cron(0 0 32W * ? *)", "W needs a day 1-31"},
		{"cron(0 0 ? * 9L *)", "L needs a day 1-7"},
		{"at(2026-03-01 09:00)", "want at(yyyy-mm-ddThh:mm:ss)"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.expr)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) err = %v, want it to contain %q", tt.expr, err, tt.want)
		}
	}
}

// fakeClock jumps to the end of every wait at once.
type fakeClock struct{ now time.Time }

func (c *fakeClock) clock() Clock {
	return Clock{
		Now: func() time.Time { return c.now },
		After: func(d time.Duration) <-chan time.Time {
			c.now = c.now.Add(d)
			ch := make(chan time.Time, 1)
			ch <- c.now
			return ch
		},
	}
}

func TestRun(t *testing.T) {
	rate, _ := Parse("rate(1 minute)")
	cron, _ := Parse("cron(0/5 * * * ? *)")
	once, _ := Parse("at(2026-01-01T10:04:00)")
	fc := &fakeClock{now: mustTime(t, "2026-01-01T10:02:30Z")}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got []string
	Run(ctx, fc.clock(), []Entry{{"rate", rate}, {"cron", cron}, {"once", once}}, func(e Entry, due time.Time) {
		if !fc.now.Equal(due) {
			t.Errorf("%s fired at %v, due %v", e.Name, fc.now, due)
		}
		got = append(got, e.Name+"@"+due.Format("15:04:05"))
		if len(got) == 10 {
			cancel()
		}
	})
	want := "rate@10:03:30 once@10:04:00 rate@10:04:30 cron@10:05:00 rate@10:05:30 rate@10:06:30 rate@10:07:30 rate@10:08:30 rate@10:09:30 cron@10:10:00"
	if g := strings.Join(got, " "); g != want {
		t.Fatalf("firings:\n got %s\nwant %s", g, want)
	}
}

func TestRunStopsWhenNothingIsDue(t *testing.T) {
	past, _ := Parse("at(2020-01-01T00:00:00)")
	done := make(chan struct{})
	go func() {
		Run(context.Background(), RealClock, []Entry{{"past", past}}, func(Entry, time.Time) { t.Error("fired") })
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run kept waiting with nothing ever due")
	}
}

func ExampleParse() {
	s, err := Parse("cron(0 9 ? * MON-FRI *)")
	if err != nil {
		fmt.Println(err)
		return
	}
	after := time.Date(2026, 1, 2, 12, 0, 0, 0, time.UTC) // a Friday afternoon
	fmt.Println(s.Next(after))

	_, err = Parse("cron(0 9 * * MON-FRI *)")
	fmt.Println(err)
	// Output:
	// 2026-01-05 09:00:00 +0000 UTC
	// schedule "cron(0 9 * * MON-FRI *)": exactly one of day-of-month (*) and day-of-week (MON-FRI) must be ?
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"rate(5 minutes)", "cron(0/5 * * * ? *)", "cron(15 10 ? * 6L 2019-2022)",
		"cron(0 9 15W * ? *)", "cron(30 14 ? * 3#2 *)", "at(2026-03-01T09:00:00)",
		"cron(5-10/5,30 1 * JAN-MAR ? 2030/2)",
	} {
		f.Add(s)
	}
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, expr string) {
		s, err := Parse(expr)
		if err != nil {
			if !strings.Contains(err.Error(), "schedule ") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		n := s.Next(from)
		if !n.IsZero() && !n.After(from) {
			t.Fatalf("%s: Next(%v) = %v", expr, from, n)
		}
	})
}
