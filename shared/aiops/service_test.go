package aiops

import (
	"errors"
	"strings"
	"testing"
)

func TestServiceValidate(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name  string
		svc   Service
		field string
	}{
		{"ok", Service{Name: "checkout-api"}, ""},
		{"upper case", Service{Name: "Checkout"}, "name"},
		{"empty", Service{Name: ""}, "name"},
		{"too long", Service{Name: strings.Repeat("a", 64)}, "name"},
		{"bad type", Service{Name: "a", Type: "mainframe"}, "type"},
		{"bad status", Service{Name: "a", Status: "on-fire"}, "status"},
		{"bad label", Service{Name: "a", Labels: map[string]string{"1env": "x"}}, "labels.1env"},
		{"long label", Service{Name: "a", Labels: map[string]string{"env": long}}, "labels.env"},
		{"long team", Service{Name: "a", OwnerTeam: long}, "owner_team"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.svc.ApplyDefaults()
			err := tt.svc.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				return
			}
			var e *Error
			if !errors.As(err, &e) || e.Code != EINVALID || e.Field != tt.field {
				t.Fatalf("err = %#v, want EINVALID on %s", err, tt.field)
			}
		})
	}
}

func TestServiceApplyMergesLabels(t *testing.T) {
	s := Service{Name: "a", Labels: map[string]string{"env": "prod", "tier": "1"}}
	s.ApplyDefaults()
	two, team := "2", "payments"
	if err := s.Apply(ServiceUpdate{OwnerTeam: &team, Labels: map[string]*string{"env": nil, "tier": &two}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.Labels["env"]; ok || s.Labels["tier"] != "2" || s.OwnerTeam != "payments" {
		t.Fatalf("after apply: %+v", s)
	}
	bad := "nope"
	if err := s.Apply(ServiceUpdate{Status: &bad}); ErrorCode(err) != EINVALID {
		t.Fatalf("invalid status accepted: %v", err)
	}
}

func TestErrorMessageHidesInternals(t *testing.T) {
	if got := ErrorMessage(errors.New("pq: password authentication failed")); got != "internal error" {
		t.Errorf("message = %q", got)
	}
	if got := ErrorCode(Unavailable("database", errors.New("dial tcp"))); got != EUNAVAILABLE {
		t.Errorf("code = %q", got)
	}
}
