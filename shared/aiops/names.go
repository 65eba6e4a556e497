package aiops

// Name checks, written out rather than as regular expressions: a bounded
// repetition such as {0,199} compiles to a program with hundreds of
// instructions, and compiling three of them cost every function's cold
// start 3 ms and 3,600 allocations.

// ValidServiceName reports whether s matches ^[a-z0-9][a-z0-9._-]{0,62}$.
func ValidServiceName(s string) bool {
	if len(s) == 0 || len(s) > 63 || !(isLower(s[0]) || isDigit(s[0])) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(isLower(c) || isDigit(c) || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// ValidLabelName reports whether s matches ^[a-zA-Z_][a-zA-Z0-9_]{0,62}$
// (Prometheus label names, at most 63 bytes).
func ValidLabelName(s string) bool {
	if len(s) == 0 || len(s) > 63 || !(isLetter(s[0]) || s[0] == '_') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(isLetter(c) || isDigit(c) || c == '_') {
			return false
		}
	}
	return true
}

// ValidMetricName reports whether s matches ^[a-zA-Z_:][a-zA-Z0-9_:]{0,199}$
// (Prometheus metric names, at most 200 bytes).
func ValidMetricName(s string) bool {
	if len(s) == 0 || len(s) > 200 || !(isLetter(s[0]) || s[0] == '_' || s[0] == ':') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(isLetter(c) || isDigit(c) || c == '_' || c == ':') {
			return false
		}
	}
	return true
}

func isLower(c byte) bool  { return 'a' <= c && c <= 'z' }
func isLetter(c byte) bool { return isLower(c) || ('A' <= c && c <= 'Z') }
func isDigit(c byte) bool  { return '0' <= c && c <= '9' }
