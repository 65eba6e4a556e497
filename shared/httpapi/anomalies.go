package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/opsight/opsight/shared/aiops"
)

type anomalyList struct {
	Anomalies []aiops.Anomaly `json:"anomalies"`
	// Next is the cursor of the following page (pass it as before=), or
	// null on the last page.
	Next *string `json:"next"`
}

// listAnomalies answers GET /api/v1/anomalies?service=&severity=&from=&to=&limit=&before=,
// newest first. severity keeps that level and above.
func (s *Server) listAnomalies(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := onlyParams(q, "service", "severity", "from", "to", "limit", "before"); err != nil {
		return err
	}
	f := aiops.AnomalyFilter{Service: q.Get("service"), MinSeverity: q.Get("severity")}
	if f.MinSeverity != "" && aiops.SeverityRank(f.MinSeverity) < 0 {
		return &aiops.Error{Code: aiops.EINVALID, Field: "severity", Message: "severity must be one of " + strings.Join(aiops.Severities, ", ")}
	}
	var err error
	if f.From, err = timeParam(q, "from", time.Time{}); err != nil {
		return err
	}
	if f.To, err = timeParam(q, "to", time.Time{}); err != nil {
		return err
	}
	if f.Limit, err = intParam(q, "limit", 50, 1, 500); err != nil {
		return err
	}
	if c := q.Get("before"); c != "" {
		if f.BeforeStart, f.BeforeID, err = parseCursor(c); err != nil {
			return &aiops.Error{Code: aiops.EINVALID, Field: "before", Message: "before must be a cursor from a previous page's next"}
		}
	}
	if f.Service != "" {
		if _, err := s.store.Service(r.Context(), f.Service); err != nil {
			return err
		}
	}
	list, err := s.store.Anomalies(r.Context(), f)
	if err != nil {
		return err
	}
	out := anomalyList{Anomalies: list}
	if out.Anomalies == nil {
		out.Anomalies = []aiops.Anomaly{}
	}
	if len(list) == f.Limit {
		last := list[len(list)-1]
		c := fmt.Sprintf("%d.%d", last.Start.UnixMilli(), last.ID)
		out.Next = &c
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func parseCursor(c string) (time.Time, int64, error) {
	ms, id, ok := strings.Cut(c, ".")
	t, err1 := strconv.ParseInt(ms, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n <= 0 {
		return time.Time{}, 0, fmt.Errorf("bad cursor %q", c)
	}
	return time.UnixMilli(t).UTC(), n, nil
}
