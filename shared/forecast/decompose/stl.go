package decompose

import (
	"math"
	"slices"
)

// STLParams configures STL. The zero value of a field picks the default of
// Cleveland et al. (1990) and R's stl: spans are made odd, the trend span is
// the smallest odd integer ≥ 1.5·period/(1 − 1.5/seasonal), the low-pass span
// the smallest odd integer ≥ period, and LOESS is evaluated every
// ⌈span/10⌉ points and linearly interpolated in between.
type STLParams struct {
	Seasonal int // seasonal smoother span in cycles (odd, ≥ 7 recommended); default 11
	Trend    int // trend smoother span in points (odd)
	LowPass  int // low-pass filter span in points (odd)

	SeasonalDeg, TrendDeg, LowPassDeg int // local polynomial degrees (0 or 1); default 1, 1, 1 when all zero

	Inner  int // inner-loop passes; default 2, or 1 when Robust
	Robust bool
	Outer  int // robustness passes when Robust; default 15
}

// STL decomposes x with period m into trend and seasonal parts by Seasonal-
// Trend decomposition using LOESS (R. B. Cleveland, W. S. Cleveland, J. E.
// McRae and I. Terpenning, "STL: A Seasonal-Trend Decomposition Procedure
// Based on Loess", Journal of Official Statistics 6(1), 1990, 3–73); the
// remainder is x − trend − seasonal. It follows the reference Fortran
// implementation (netlib stl), including its jumps.
//
// When weights is not nil it receives the final robustness weights (all 1
// without Robust); values near 0 mark outliers. trend, seasonal and weights
// must have len(x) elements and x must span at least two periods with m ≥ 2,
// else STL panics. x must not contain NaN.
func STL(trend, seasonal, weights, x []float64, m int, p STLParams) {
	n := len(x)
	if len(trend) != n || len(seasonal) != n || (weights != nil && len(weights) != n) {
		panic("decompose: STL slice length mismatch")
	}
	if m < 2 || n < 2*m {
		panic("decompose: STL needs a period ≥ 2 and two full periods")
	}
	p = p.withDefaults(m)
	w := newSTLWork(n, m)
	rw := w.rw
	clear(trend)
	userw := false
	passes := 0
	if p.Robust {
		passes = p.Outer
	}
	for k := 0; ; k++ {
		w.step(x, trend, seasonal, m, p, userw)
		if k >= passes {
			break
		}
		for i := range x {
			w.fit[i] = trend[i] + seasonal[i]
		}
		robustWeights(rw, x, w.fit, w.tmp)
		userw = true
	}
	if weights != nil {
		if userw {
			copy(weights, rw)
		} else {
			for i := range weights {
				weights[i] = 1
			}
		}
	}
}

func (p STLParams) withDefaults(m int) STLParams {
	if p.Seasonal == 0 {
		p.Seasonal = 11
	}
	p.Seasonal = max(oddUp(p.Seasonal), 3)
	if p.Trend == 0 {
		p.Trend = int(math.Ceil(1.5 * float64(m) / (1 - 1.5/float64(p.Seasonal))))
	}
	p.Trend = max(oddUp(p.Trend), 3)
	if p.LowPass == 0 {
		p.LowPass = m
	}
	p.LowPass = max(oddUp(p.LowPass), 3)
	if p.SeasonalDeg == 0 && p.TrendDeg == 0 && p.LowPassDeg == 0 {
		p.SeasonalDeg, p.TrendDeg, p.LowPassDeg = 1, 1, 1
	}
	if p.Inner == 0 {
		p.Inner = 2
		if p.Robust {
			p.Inner = 1
		}
	}
	if p.Robust && p.Outer == 0 {
		p.Outer = 15
	}
	return p
}

func oddUp(k int) int {
	if k%2 == 0 {
		return k + 1
	}
	return k
}

// stlWork holds STL's scratch space, so one decomposition allocates once.
type stlWork struct {
	rw, fit, tmp   []float64
	w1, w2, w3, w4 []float64 // length n + 2m
	sub, subW      []float64
	subOut         []float64
}

func newSTLWork(n, m int) *stlWork {
	buf := make([]float64, 3*n+4*(n+2*m)+3*(n/m+3))
	next := func(k int) []float64 {
		s := buf[:k:k]
		buf = buf[k:]
		return s
	}
	w := &stlWork{rw: next(n), fit: next(n), tmp: next(n)}
	w.w1, w.w2, w.w3, w.w4 = next(n+2*m), next(n+2*m), next(n+2*m), next(n+2*m)
	k := n/m + 3
	w.sub, w.subW, w.subOut = next(k), next(k), next(k)
	for i := range w.rw {
		w.rw[i] = 1
	}
	return w
}

// step is the inner loop (stlstp): detrending, cycle-subseries smoothing,
// low-pass filtering of the smoothed cycle-subseries, and deseasonalised
// trend smoothing.
func (w *stlWork) step(y, trend, season []float64, np int, p STLParams, userw bool) {
	n := len(y)
	for range p.Inner {
		for i := range n {
			w.w1[i] = y[i] - trend[i]
		}
		c := w.w2[:n+2*np]
		w.subseries(c, w.w1[:n], np, p.Seasonal, p.SeasonalDeg, userw)
		low := w.w3[:n]
		movingAverage(w.w4[:n+np+1], c, np)
		movingAverage(w.w1[:n+2], w.w4[:n+np+1], np)
		movingAverage(low, w.w1[:n+2], 3)
		smoothed := w.w1[:n]
		loess(smoothed, low, p.LowPass, p.LowPassDeg, jump(p.LowPass), nil, w.w4[:n])
		for i := range n {
			season[i] = c[np+i] - smoothed[i]
		}
		for i := range n {
			w.w1[i] = y[i] - season[i]
		}
		var rw []float64
		if userw {
			rw = w.rw
		}
		loess(trend, w.w1[:n], p.Trend, p.TrendDeg, jump(p.Trend), rw, w.w4[:n])
	}
}

func jump(span int) int { return max(1, int(math.Ceil(float64(span)/10))) }

// subseries (stlss) smooths each cycle-subseries of y and extends it by one
// point at each end, writing the result for positions −np … n+np−1 to c.
func (w *stlWork) subseries(c, y []float64, np, ns, deg int, userw bool) {
	n := len(y)
	for j := range np {
		k := (n-j-1)/np + 1
		sub := w.sub[:k]
		var sw []float64
		for i := range k {
			sub[i] = y[i*np+j]
		}
		if userw {
			sw = w.subW[:k]
			for i := range k {
				sw[i] = w.rw[i*np+j]
			}
		}
		out := w.subOut[:k+2]
		scratch := w.w4[:k]
		loess(out[1:k+1], sub, ns, deg, jump(ns), sw, scratch)
		var ok bool
		out[0], ok = loessAt(sub, ns, deg, -1, 0, min(ns, k)-1, sw, scratch)
		if !ok {
			out[0] = out[1]
		}
		out[k+1], ok = loessAt(sub, ns, deg, float64(k), max(0, k-ns), k-1, sw, scratch)
		if !ok {
			out[k+1] = out[k]
		}
		for i := range k + 2 {
			c[i*np+j] = out[i]
		}
	}
}

// loess (stless) smooths y with span points and local degree deg, evaluated
// every jmp points and linearly interpolated in between. rw, if not nil,
// holds robustness weights; scratch has len(y) elements.
func loess(dst, y []float64, span, deg, jmp int, rw, scratch []float64) {
	n := len(y)
	if n < 2 {
		dst[0] = y[0]
		return
	}
	nj := min(jmp, n-1)
	var left, right int
	eval := func(i int) {
		v, ok := loessAt(y, span, deg, float64(i), left, right, rw, scratch)
		if !ok {
			v = y[i]
		}
		dst[i] = v
	}
	if span >= n {
		left, right = 0, n-1
		for i := 0; i < n; i += nj {
			eval(i)
		}
	} else {
		half := (span + 1) / 2
		for i := 0; i < n; i += nj {
			switch {
			case i+1 < half:
				left, right = 0, span-1
			case i+1 >= n-half+1:
				left, right = n-span, n-1
			default:
				left, right = i+1-half, i+span-half
			}
			eval(i)
		}
	}
	if nj == 1 {
		return
	}
	for i := 0; i < n-nj; i += nj {
		d := (dst[i+nj] - dst[i]) / float64(nj)
		for j := i + 1; j < i+nj; j++ {
			dst[j] = dst[i] + d*float64(j-i)
		}
	}
	k := ((n - 1) / nj) * nj
	if k != n-1 {
		eval(n - 1)
		d := (dst[n-1] - dst[k]) / float64(n-1-k)
		for j := k + 1; j < n-1; j++ {
			dst[j] = dst[k] + d*float64(j-k)
		}
	}
}

// loessAt (stlest) is the local weighted regression of degree deg of y on
// the indexes left…right, with tricube weights over the span, evaluated at
// xs. It reports false when every weight is zero.
func loessAt(y []float64, span, deg int, xs float64, left, right int, rw, w []float64) (float64, bool) {
	n := len(y)
	rng := float64(n - 1)
	h := math.Max(xs-float64(left), float64(right)-xs)
	if span > n {
		h += float64((span - n) / 2)
	}
	h9, h1 := 0.999*h, 0.001*h
	var a float64
	for j := left; j <= right; j++ {
		w[j] = 0
		r := math.Abs(float64(j) - xs)
		if r <= h9 {
			if r <= h1 {
				w[j] = 1
			} else {
				q := r / h
				q = 1 - q*q*q
				w[j] = q * q * q
			}
			if rw != nil {
				w[j] *= rw[j]
			}
			a += w[j]
		}
	}
	if a <= 0 {
		return 0, false
	}
	for j := left; j <= right; j++ {
		w[j] /= a
	}
	if h > 0 && deg > 0 {
		var c float64
		a = 0
		for j := left; j <= right; j++ {
			a += w[j] * float64(j)
		}
		b := xs - a
		for j := left; j <= right; j++ {
			d := float64(j) - a
			c += w[j] * d * d
		}
		if math.Sqrt(c) > 0.001*rng {
			b /= c
			for j := left; j <= right; j++ {
				w[j] *= b*(float64(j)-a) + 1
			}
		}
	}
	var ys float64
	for j := left; j <= right; j++ {
		ys += w[j] * y[j]
	}
	return ys, true
}

// movingAverage stores in dst the moving averages of x over k points;
// len(dst) must be len(x)−k+1.
func movingAverage(dst, x []float64, k int) {
	var s float64
	for i := range k {
		s += x[i]
	}
	fk := float64(k)
	dst[0] = s / fk
	for i := 1; i < len(dst); i++ {
		s += x[i+k-1] - x[i-1]
		dst[i] = s / fk
	}
}

// robustWeights (stlrwt) sets the bisquare robustness weights from the
// residuals of fit: w = (1 − (r/h)²)² with h six times the median |r|.
func robustWeights(rw, y, fit, tmp []float64) {
	for i := range y {
		tmp[i] = math.Abs(y[i] - fit[i])
	}
	r := tmp[:len(y)]
	slices.Sort(r)
	n := len(r)
	med := r[n/2]
	if n%2 == 0 {
		med = (r[n/2-1] + r[n/2]) / 2
	}
	h := 6 * med
	for i := range y {
		r := math.Abs(y[i] - fit[i])
		switch {
		case r <= 0.001*h:
			rw[i] = 1
		case r <= 0.999*h:
			u := r / h
			u = 1 - u*u
			rw[i] = u * u
		default:
			rw[i] = 0
		}
	}
}
