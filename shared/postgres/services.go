package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/opsight/opsight/shared/aiops"
)

const serviceColumns = "name, type, labels, owner_team, status, prometheus, last_seen, created_at, updated_at"

func scanService(row pgx.Row) (*aiops.Service, error) {
	var s aiops.Service
	if err := row.Scan(&s.Name, &s.Type, &s.Labels, &s.OwnerTeam, &s.Status, &s.Prometheus, &s.LastSeen, &s.CreatedAt, &s.UpdatedAt); err != nil {
		return nil, err
	}
	if s.Labels == nil {
		s.Labels = map[string]string{}
	}
	return &s, nil
}

// CreateService registers s, filling its timestamps. A taken name is
// ECONFLICT.
func (db *DB) CreateService(ctx context.Context, s *aiops.Service) error {
	s.ApplyDefaults()
	if err := s.Validate(); err != nil {
		return err
	}
	row := db.Pool.QueryRow(ctx, `
		INSERT INTO services (name, type, labels, owner_team, status, prometheus)
		VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING `+serviceColumns, s.Name, s.Type, s.Labels, s.OwnerTeam, s.Status, s.Prometheus)
	got, err := scanService(row)
	if isUniqueViolation(err) {
		return &aiops.Error{Code: aiops.ECONFLICT, Field: "name", Message: fmt.Sprintf("a service named %q already exists", s.Name)}
	}
	if err != nil {
		return wrap(err, "create service")
	}
	*s = *got
	return nil
}

// Service returns the service called name, or ENOTFOUND.
func (db *DB) Service(ctx context.Context, name string) (*aiops.Service, error) {
	s, err := scanService(db.Pool.QueryRow(ctx, "SELECT "+serviceColumns+" FROM services WHERE name = $1", name))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, serviceNotFound(name)
	}
	return s, wrap(err, "get service")
}

// Services lists the services matching f in name order, with the number of
// matches before paging.
func (db *DB) Services(ctx context.Context, f aiops.ServiceFilter) ([]*aiops.Service, int, error) {
	var where []string
	var args []any
	add := func(col, v string) {
		if v != "" {
			args = append(args, v)
			where = append(where, fmt.Sprintf("%s = $%d", col, len(args)))
		}
	}
	add("type", f.Type)
	add("owner_team", f.OwnerTeam)
	add("status", f.Status)
	if f.HasPrometheus {
		where = append(where, "prometheus IS NOT NULL")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 {
		limit = 1000
	}
	args = append(args, limit, max(f.Offset, 0))
	rows, err := db.Pool.Query(ctx, fmt.Sprintf(
		"SELECT %s, count(*) OVER () FROM services%s ORDER BY name LIMIT $%d OFFSET $%d",
		serviceColumns, cond, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, wrap(err, "list services")
	}
	defer rows.Close()
	list := []*aiops.Service{}
	total := 0
	for rows.Next() {
		var s aiops.Service
		if err := rows.Scan(&s.Name, &s.Type, &s.Labels, &s.OwnerTeam, &s.Status, &s.Prometheus, &s.LastSeen, &s.CreatedAt, &s.UpdatedAt, &total); err != nil {
			return nil, 0, wrap(err, "scan service")
		}
		if s.Labels == nil {
			s.Labels = map[string]string{}
		}
		list = append(list, &s)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, wrap(err, "list services")
	}
	if len(list) == 0 && f.Offset > 0 {
		// The window count is absent when the page is empty; count apart.
		if err := db.Pool.QueryRow(ctx, "SELECT count(*) FROM services"+cond, args[:len(args)-2]...).Scan(&total); err != nil {
			return nil, 0, wrap(err, "count services")
		}
	}
	return list, total, nil
}

// UpdateService applies u to the service called name under a row lock, so
// concurrent label merges do not lose each other's keys.
func (db *DB) UpdateService(ctx context.Context, name string, u aiops.ServiceUpdate) (*aiops.Service, error) {
	var out *aiops.Service
	err := db.inTx(ctx, func(tx pgx.Tx) error {
		s, err := scanService(tx.QueryRow(ctx, "SELECT "+serviceColumns+" FROM services WHERE name = $1 FOR UPDATE", name))
		if errors.Is(err, pgx.ErrNoRows) {
			return serviceNotFound(name)
		}
		if err != nil {
			return wrap(err, "lock service")
		}
		if err := s.Apply(u); err != nil {
			return err
		}
		out, err = scanService(tx.QueryRow(ctx, `
			UPDATE services SET type = $2, labels = $3, owner_team = $4, status = $5, prometheus = $6, updated_at = now()
			WHERE name = $1 RETURNING `+serviceColumns, name, s.Type, s.Labels, s.OwnerTeam, s.Status, s.Prometheus))
		return wrap(err, "update service")
	})
	return out, err
}

// DeleteService removes the service called name, or returns ENOTFOUND.
func (db *DB) DeleteService(ctx context.Context, name string) error {
	tag, err := db.Pool.Exec(ctx, "DELETE FROM services WHERE name = $1", name)
	if err != nil {
		return wrap(err, "delete service")
	}
	if tag.RowsAffected() == 0 {
		return serviceNotFound(name)
	}
	return nil
}

func serviceNotFound(name string) error {
	return &aiops.Error{Code: aiops.ENOTFOUND, Message: fmt.Sprintf("no service named %q", name)}
}
