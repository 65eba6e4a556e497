package nab

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/opsight/opsight/shared/detect"
)

// TestDiagnose prints, for the standard profile's corpus-wide threshold,
// each file's windows with the first detection inside them and the false
// positives outside: the view used to study where the detector wins and
// loses. It runs only with NAB_DIAG=1 (it reads the shared corpus and its
// output is for people).
func TestDiagnose(t *testing.T) {
	if os.Getenv("NAB_DIAG") == "" {
		t.Skip("set NAB_DIAG=1 to print per-file detections")
	}
	c, _ := loadCorpus(t)
	scores, _, err := Run(context.Background(), c, StreamDetector(detect.DefaultConfig()), 2)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Score(c, scores)
	if err != nil {
		t.Fatal(err)
	}
	r := res[0]
	var b strings.Builder
	fmt.Fprintf(&b, "profile %s threshold %.4f score %.2f\n", r.Profile.Name, r.Threshold, r.Normalized)
	for i, f := range c.Files {
		fs := r.Files[i]
		fmt.Fprintf(&b, "%-58s n=%-6d score %7.3f TP %d FP %d\n", f.Name, len(f.Times), fs.Score, fs.TP, fs.FP)
		prob := ProbationLength(len(f.Times))
		w := 0
		for j, s := range scores[i] {
			if j < prob || s < r.Threshold {
				continue
			}
			for w < len(f.Windows) && f.Windows[w][1] < j {
				w++
			}
			if w < len(f.Windows) && f.Windows[w][0] <= j {
				win := f.Windows[w]
				fmt.Fprintf(&b, "    TP row %d in [%d,%d] pos %.2f score %.3f\n", j, win[0], win[1],
					-float64(win[1]-j+1)/float64(win[1]-win[0]+1), s)
			} else {
				fmt.Fprintf(&b, "    FP row %d score %.3f\n", j, s)
			}
		}
		for _, win := range f.Windows {
			fmt.Fprintf(&b, "    window [%d,%d]\n", win[0], win[1])
		}
	}
	out := os.Getenv("NAB_DIAG_OUT")
	if out == "" {
		t.Log(b.String())
		return
	}
	if err := os.WriteFile(out, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
