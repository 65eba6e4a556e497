package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/aiops"
	"github.com/opsight/opsight/shared/postgres"
)

// chunkMinutes bounds one push: 4 hours of every series is about 12,000
// points, some 300 KB of JSON, well inside the API's body limit.
const chunkMinutes = 240

// Stream sends the demo's live points to the Opsight API at apiURL (e.g.
// http://127.0.0.1:3000) as an agent would, with POST /api/v1/metrics, until
// ctx ends (it then returns ctx's error).
//
// It first registers any demo service the registry lacks, then resumes after
// the last minute the API has for the demo series: a gap left while nothing
// streamed is filled (at most Days of it), and the values continue the
// generator exactly, as if it had never stopped. Then, a second after each
// minute, it sends that minute. A failed push (the platform restarting, the
// database away) is retried with the next minute; a push the API rejects
// as invalid ends the stream, since retrying cannot help.
func Stream(ctx context.Context, apiURL string, g *Generator, opt Options) error {
	s, err := newStreamer(ctx, apiURL, g, opt)
	if err != nil {
		return err
	}
	for {
		if _, err := s.catchUp(ctx); err != nil {
			var rej *rejectedError
			if errors.As(err, &rej) || ctx.Err() != nil {
				return err
			}
			s.opt.Log.Warn("demo: push failed; retrying next minute", "err", err)
		}
		now := s.opt.Now()
		wait := now.Truncate(time.Minute).Add(time.Minute + time.Second).Sub(now)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// streamer pushes the generator's points to the API.
type streamer struct {
	api      string
	g        *Generator
	opt      Options
	next     time.Time // the first minute not yet sent
	recorded map[string]bool
}

func newStreamer(ctx context.Context, apiURL string, g *Generator, opt Options) (*streamer, error) {
	opt = opt.withDefaults()
	u, err := url.Parse(apiURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("demo: API URL %q must be http(s)://host[:port]", apiURL)
	}
	s := &streamer{api: strings.TrimRight(apiURL, "/"), g: g, opt: opt, recorded: map[string]bool{}}
	if err := s.registerServices(ctx); err != nil {
		return nil, err
	}
	if s.next, err = s.resumeAt(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// registerServices creates, through the API, the demo services it lacks.
func (s *streamer) registerServices(ctx context.Context) error {
	for _, p := range catalogue {
		err := s.do(ctx, "GET", "/api/v1/services/"+url.PathEscape(p.name), nil, nil)
		var rej *rejectedError
		if !errors.As(err, &rej) || rej.status != http.StatusNotFound {
			if err != nil {
				return fmt.Errorf("demo: no Opsight API answering at %s (start it with `make run`): %w", s.api, err)
			}
			continue
		}
		body := map[string]any{"name": p.name, "type": p.typ, "owner_team": p.team, "labels": p.labels}
		if err := s.do(ctx, "POST", "/api/v1/services", body, nil); err != nil && !isStatus(err, http.StatusConflict) {
			return fmt.Errorf("demo: register %s: %w", p.name, err)
		}
	}
	return nil
}

// resumeAt returns the minute after the latest one every demo series has,
// no earlier than Days before now; the current minute when none has any.
func (s *streamer) resumeAt(ctx context.Context) (time.Time, error) {
	now := s.opt.Now().UTC().Truncate(time.Minute)
	var resume time.Time
	for _, p := range catalogue {
		var res struct {
			Series []aiops.Series `json:"series"`
		}
		if err := s.do(ctx, "GET", "/api/v1/series?service="+url.QueryEscape(p.name), nil, &res); err != nil {
			return time.Time{}, fmt.Errorf("demo: list series of %s: %w", p.name, err)
		}
		for _, sr := range res.Series {
			if len(sr.Labels) > 0 || !p.has(sr.Metric) || sr.LastPoint == nil {
				continue
			}
			if next := sr.LastPoint.UTC().Truncate(time.Minute).Add(time.Minute); resume.IsZero() || next.Before(resume) {
				resume = next
			}
		}
	}
	if floor := now.Add(-s.g.epoch); resume.IsZero() || resume.Before(floor) {
		if resume.IsZero() {
			return now, nil
		}
		return floor, nil
	}
	return resume, nil
}

// catchUp sends every minute from s.next through the current one, in
// chunks, recording the incidents they reach first. It returns how many
// minutes it sent.
func (s *streamer) catchUp(ctx context.Context) (int, error) {
	end := s.opt.Now().UTC().Truncate(time.Minute).Add(time.Minute)
	sent := 0
	for s.next.Before(end) {
		to := s.next.Add(chunkMinutes * time.Minute)
		if to.After(end) {
			to = end
		}
		if err := s.record(ctx, s.g.Incidents(s.next, to)); err != nil {
			return sent, err
		}
		var res aiops.WriteResult
		if err := s.do(ctx, "POST", "/api/v1/metrics", s.g.Samples(s.next, to), &res); err != nil {
			return sent, fmt.Errorf("demo: push %s to %s: %w", s.next.Format(time.RFC3339), to.Format(time.RFC3339), err)
		}
		sent += int(to.Sub(s.next) / time.Minute)
		s.next = to
	}
	if sent > 1 {
		s.opt.Log.Info("demo: caught up", "minutes", sent, "through", end.Add(-time.Minute))
	}
	return sent, nil
}

// record lists incidents before their points are sent, so a checker never
// sees an injected anomaly that is not yet on the list.
func (s *streamer) record(ctx context.Context, list []Incident) error {
	if s.opt.Incidents == nil {
		return nil
	}
	var recs []postgres.DemoIncident
	for _, in := range list {
		if !s.recorded[in.ID] {
			recs = append(recs, in.Record())
		}
	}
	if len(recs) == 0 {
		return nil
	}
	if err := s.opt.Incidents.RecordDemoIncidents(ctx, recs); err != nil {
		return fmt.Errorf("demo: record incidents: %w", err)
	}
	for _, r := range recs {
		s.recorded[r.ID] = true
	}
	return nil
}

// rejectedError is an answer of 4xx: the request itself is wrong.
type rejectedError struct {
	status  int
	message string
}

func (e *rejectedError) Error() string {
	return fmt.Sprintf("API answered %d: %s", e.status, e.message)
}

func isStatus(err error, status int) bool {
	var rej *rejectedError
	return errors.As(err, &rej) && rej.status == status
}

// do sends a JSON request and decodes a JSON answer into out (if not nil).
func (s *streamer) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.api+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.opt.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		msg := strings.TrimSpace(string(b))
		if json.Unmarshal(b, &e) == nil && e.Error.Message != "" {
			msg = e.Error.Message
		}
		if resp.StatusCode >= 400 && resp.StatusCode < 500 {
			return &rejectedError{status: resp.StatusCode, message: msg}
		}
		return fmt.Errorf("API answered %d: %s", resp.StatusCode, msg)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("API answer to %s %s: %w", method, path, err)
		}
	}
	return nil
}
