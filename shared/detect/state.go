package detect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// State encoding, version 2: the magic "ODS", a version byte, then every
// field little-endian in a fixed order (int64 counters, then float64s).
// About 17 KB; the layout is fixed per version, so a truncated or padded
// blob is rejected rather than half-read.
const (
	stateMagic   = "ODS"
	stateVersion = 2
)

// ErrCorruptState is wrapped by UnmarshalBinary and Resume errors for
// state bytes that cannot be a detector's state.
var ErrCorruptState = errors.New("detect: corrupt detector state")

// MarshalBinary encodes the detector, configuration included.
func (s *Stream) MarshalBinary() ([]byte, error) {
	b := make([]byte, 0, stateSize)
	b = append(b, stateMagic...)
	b = append(b, stateVersion)
	b = binary.LittleEndian.AppendUint64(b, uint64(s.cfg.Warmup))
	b = binary.LittleEndian.AppendUint64(b, uint64(s.cfg.Episode))
	for _, v := range s.ints() {
		b = binary.LittleEndian.AppendUint64(b, uint64(*v))
	}
	for _, v := range s.floats() {
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(*v))
	}
	return b, nil
}

// UnmarshalBinary restores a detector from MarshalBinary's output. On error
// the detector is left unchanged.
func (s *Stream) UnmarshalBinary(data []byte) error {
	if len(data) < len(stateMagic)+1 || string(data[:len(stateMagic)]) != stateMagic {
		return fmt.Errorf("%w: not detector state (bad magic)", ErrCorruptState)
	}
	if v := data[len(stateMagic)]; v != stateVersion {
		return fmt.Errorf("%w: unknown version %d (this build reads %d)", ErrCorruptState, v, stateVersion)
	}
	if len(data) != stateSize {
		return fmt.Errorf("%w: %d bytes, version %d state has %d", ErrCorruptState, len(data), stateVersion, stateSize)
	}
	data = data[len(stateMagic)+1:]
	next := func() uint64 {
		v := binary.LittleEndian.Uint64(data)
		data = data[8:]
		return v
	}
	var n Stream
	warm := int64(next())
	if warm < 0 || warm > math.MaxInt32 {
		return fmt.Errorf("%w: warm-up %d out of range", ErrCorruptState, warm)
	}
	n.cfg.Warmup = int(warm)
	episode := int64(next())
	if episode < 0 || episode > math.MaxInt32 {
		return fmt.Errorf("%w: episode length %d out of range", ErrCorruptState, episode)
	}
	n.cfg.Episode = int(episode)
	for _, v := range n.ints() {
		*v = int64(next())
	}
	for _, v := range n.floats() {
		*v = math.Float64frombits(next())
	}
	if err := n.validate(); err != nil {
		return fmt.Errorf("%w: %v", ErrCorruptState, err)
	}
	*s = n
	return nil
}

// Resume restores a detector from saved state, or starts a new one with cfg
// when there is none. Corrupt state also starts a new detector, and the
// error says why so the caller can log it: a bad blob costs the history,
// never a run.
func Resume(data []byte, cfg Config) (*Stream, error) {
	if len(data) == 0 {
		return NewStream(cfg), nil
	}
	s := NewStream(cfg)
	if err := s.UnmarshalBinary(data); err != nil {
		return NewStream(cfg), err
	}
	return s, nil
}

var stateSize = func() int {
	var s Stream
	return len(stateMagic) + 1 + 2*8 + 8*len(s.ints()) + 8*len(s.floats())
}()

// ints lists the int64 fields in encoding order (after the warm-up and
// episode length).
func (s *Stream) ints() []*int64 {
	out := []*int64{&s.n, &s.skipped, &s.first, &s.last, &s.peakAge}
	for k := range s.rec {
		out = append(out, &s.rec[k].blocks)
	}
	return out
}

// nFloats is the number of float64 fields: 14 scalars, four daily and two
// weekly profiles, the predictor errors, four histograms and the records.
const nFloats = 14 + 4*daySlots + 2*weekSlots + nPred + 4*(2+tailBins) + recordScales*(4+2*recordBlocks)

// floats lists every float64 field in encoding order.
func (s *Stream) floats() []*float64 {
	c := &s.cfg
	out := make([]*float64, 0, nFloats)
	out = append(out, &c.FastAlpha, &c.SlowAlpha, &c.SeasonAlpha, &c.ErrAlpha, &c.ShiftAlpha, &c.Memory,
		&s.fast, &s.slow, &s.scale, &s.scaleLong, &s.shift, &s.longShift, &s.seasShift, &s.peak)
	for _, a := range [][]float64{s.day[:], s.dayW[:], s.dayErr[:], s.seasErr[:], s.week[:], s.weekW[:], s.err[:]} {
		for i := range a {
			out = append(out, &a[i])
		}
	}
	for _, t := range []*tail{&s.point, &s.drift, &s.longDrift, &s.seasonal} {
		out = append(out, &t.total, &t.w)
		for i := range t.counts {
			out = append(out, &t.counts[i])
		}
	}
	for k := range s.rec {
		r := &s.rec[k]
		out = append(out, &s.smooth[k], &r.lo, &r.hi, &r.inBlock)
		for b := range r.blockLo {
			out = append(out, &r.blockLo[b], &r.blockHi[b])
		}
	}
	return out
}

// validate rejects decoded state no detector could have produced.
func (s *Stream) validate() error {
	for i, p := range s.floats() {
		if math.IsNaN(*p) || math.IsInf(*p, 0) {
			return fmt.Errorf("field %d is not finite", i)
		}
	}
	c := s.cfg
	for _, a := range []float64{c.FastAlpha, c.SlowAlpha, c.SeasonAlpha, c.ErrAlpha, c.ShiftAlpha} {
		if !(a > 0 && a <= 1) {
			return fmt.Errorf("smoothing weight %v outside (0, 1]", a)
		}
	}
	if !(c.Memory > 1) || s.n < 0 || s.skipped < 0 || s.peakAge < 0 {
		return errors.New("negative counter or memory")
	}
	for _, t := range []*tail{&s.point, &s.drift, &s.longDrift, &s.seasonal} {
		if t.total < 0 || t.w < 0 || (t.total > 0 && t.w == 0) {
			return errors.New("negative histogram weight")
		}
		for _, c := range t.counts {
			if c < 0 {
				return errors.New("negative histogram count")
			}
		}
	}
	for _, a := range [][]float64{s.dayW[:], s.weekW[:], s.dayErr[:], s.seasErr[:], s.err[:]} {
		for _, v := range a {
			if v < 0 {
				return errors.New("negative seasonal weight or error")
			}
		}
	}
	if s.scale < 0 || s.scaleLong < 0 || s.peak < 0 {
		return errors.New("negative scale")
	}
	for k := range s.rec {
		r := &s.rec[k]
		if r.lo > r.hi || r.blocks < 0 || r.inBlock < 0 {
			return errors.New("record range upside down or negative count")
		}
		for b := range r.blockLo {
			if r.blockLo[b] > r.blockHi[b] {
				return errors.New("record block upside down")
			}
		}
	}
	return nil
}
