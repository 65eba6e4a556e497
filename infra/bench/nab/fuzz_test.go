package nab

import (
	"testing"
)

func FuzzParseWindows(f *testing.F) {
	f.Add([]byte(`{"a/b.csv": [["2014-04-10 07:15:00.000000", "2014-04-11 16:45:00.000000"]], "c/d.csv": []}`))
	f.Add([]byte(`{"a.csv": [["x"]]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := parseWindows("fuzz.json", b)
		if err != nil {
			return
		}
		for name, ws := range w {
			for _, l := range ws {
				if l[0].IsZero() || l[1].IsZero() {
					t.Fatalf("%s: zero time accepted from %q", name, b)
				}
			}
		}
	})
}

func FuzzParseProfiles(f *testing.F) {
	f.Add([]byte(`{"standard": {"CostMatrix": {"tpWeight": 1.0, "fnWeight": 1.0, "fpWeight": 0.11, "tnWeight": 1.0}}}`))
	f.Add([]byte(`{"x": {"CostMatrix": {}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		ps, err := parseProfiles("fuzz.json", b)
		if err != nil {
			return
		}
		if len(ps) == 0 {
			t.Fatal("no profiles and no error")
		}
		for _, p := range ps {
			if p.TPWeight < 0 || p.FPWeight < 0 || p.FNWeight < 0 {
				t.Fatalf("negative weight accepted: %+v", p)
			}
		}
	})
}
