package aiops

import (
	"regexp"
	"strings"
	"testing"
)

// The hand-written checks accept exactly what the regular expressions in
// their comments accept.
func FuzzNames(f *testing.F) {
	for _, s := range []string{"checkout-api", "a", "", "A", "_x", "x:y", strings.Repeat("a", 63), strings.Repeat("a", 64), "é", "9lives", "a b"} {
		f.Add(s)
	}
	service := regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)
	label := regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]{0,62}$`)
	metric := regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$`)
	f.Fuzz(func(t *testing.T, s string) {
		if ValidServiceName(s) != service.MatchString(s) {
			t.Errorf("ValidServiceName(%q) = %v", s, ValidServiceName(s))
		}
		if ValidLabelName(s) != label.MatchString(s) {
			t.Errorf("ValidLabelName(%q) = %v", s, ValidLabelName(s))
		}
		if ValidMetricName(s) != metric.MatchString(s) {
			t.Errorf("ValidMetricName(%q) = %v", s, ValidMetricName(s))
		}
	})
}
