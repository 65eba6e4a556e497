package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/opsight/opsight/shared/aiops"
)

// serviceRequest is the body of POST /api/v1/services.
type serviceRequest struct {
	Name       string                  `json:"name"`
	Type       string                  `json:"type"`
	Labels     map[string]string       `json:"labels"`
	OwnerTeam  string                  `json:"owner_team"`
	Status     string                  `json:"status"`
	Prometheus *aiops.PrometheusSource `json:"prometheus"`
}

// servicePatch is the body of PATCH /api/v1/services/{name}, a JSON merge
// patch (RFC 7386): absent fields stay, labels set to null are removed.
type servicePatch struct {
	Name      *string            `json:"name"`
	Type      *string            `json:"type"`
	Labels    map[string]*string `json:"labels"`
	OwnerTeam *string            `json:"owner_team"`
	Status    *string            `json:"status"`
	// Prometheus is kept raw to tell null (remove the source) from absent.
	Prometheus json.RawMessage `json:"prometheus"`
}

type serviceList struct {
	Services []*aiops.Service `json:"services"`
	Total    int              `json:"total"`
	Limit    int              `json:"limit"`
	Offset   int              `json:"offset"`
}

func (s *Server) listServices(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	if err := onlyParams(q, "type", "owner_team", "status", "limit", "offset"); err != nil {
		return err
	}
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return err
	}
	offset, err := intParam(q, "offset", 0, 0, 1<<31-1)
	if err != nil {
		return err
	}
	list, total, err := s.store.Services(r.Context(), aiops.ServiceFilter{
		Type: q.Get("type"), OwnerTeam: q.Get("owner_team"), Status: q.Get("status"),
		Limit: limit, Offset: offset,
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, serviceList{Services: list, Total: total, Limit: limit, Offset: offset})
	return nil
}

func (s *Server) createService(w http.ResponseWriter, r *http.Request) error {
	var req serviceRequest
	if err := decodeJSON(w, r, s.maxBody, &req); err != nil {
		return err
	}
	svc := &aiops.Service{Name: req.Name, Type: req.Type, Labels: req.Labels, OwnerTeam: req.OwnerTeam, Status: req.Status, Prometheus: req.Prometheus}
	if err := s.store.CreateService(r.Context(), svc); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/services/"+url.PathEscape(svc.Name))
	writeJSON(w, http.StatusCreated, svc)
	return nil
}

func (s *Server) getService(w http.ResponseWriter, r *http.Request) error {
	svc, err := s.store.Service(r.Context(), r.PathValue("name"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, svc)
	return nil
}

func (s *Server) updateService(w http.ResponseWriter, r *http.Request) error {
	var p servicePatch
	if err := decodeJSON(w, r, s.maxBody, &p); err != nil {
		return err
	}
	name := r.PathValue("name")
	if p.Name != nil && *p.Name != name {
		return &aiops.Error{Code: aiops.EINVALID, Field: "name", Message: "a service cannot be renamed; register a new one"}
	}
	u := aiops.ServiceUpdate{Type: p.Type, Labels: p.Labels, OwnerTeam: p.OwnerTeam, Status: p.Status}
	switch raw := bytes.TrimSpace(p.Prometheus); {
	case len(raw) == 0:
	case string(raw) == "null":
		u.ClearPrometheus = true
	default:
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&u.Prometheus); err != nil {
			e := jsonError(err, s.maxBody)
			if ae, ok := e.(*aiops.Error); ok && ae.Field != "" {
				ae.Field = "prometheus." + ae.Field
			}
			return e
		}
	}
	svc, err := s.store.UpdateService(r.Context(), name, u)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, svc)
	return nil
}

func (s *Server) deleteService(w http.ResponseWriter, r *http.Request) error {
	if err := s.store.DeleteService(r.Context(), r.PathValue("name")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// onlyParams rejects query parameters the endpoint does not know, so a typo
// such as ?owner=payments fails loudly instead of silently matching all.
func onlyParams(q url.Values, known ...string) error {
	for k := range q {
		ok := false
		for _, n := range known {
			ok = ok || k == n
		}
		if !ok {
			return &aiops.Error{Code: aiops.EINVALID, Field: k, Message: "unknown query parameter " + strconv.Quote(k)}
		}
	}
	return nil
}

func intParam(q url.Values, name string, def, lo, hi int) (int, error) {
	s := q.Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, &aiops.Error{Code: aiops.EINVALID, Field: name, Message: name + " must be an integer from " + strconv.Itoa(lo) + " to " + strconv.Itoa(hi)}
	}
	return n, nil
}
