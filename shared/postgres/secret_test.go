package postgres

import "testing"

func TestURLFromSecretJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"username":"app","password":"p@ss/word","host":"db.example.com","port":5432,"dbname":"opsight"}`,
			"postgres://app:p%40ss%2Fword@db.example.com:5432/opsight?sslmode=require"},
		{`{"username":"app","password":"x","host":"db","port":"6432"}`,
			"postgres://app:x@db:6432/postgres?sslmode=require"},
	}
	for _, tt := range tests {
		got, err := URLFromSecretJSON([]byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("URLFromSecretJSON(%s) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, bad := range []string{`{}`, `[]`, `{"username":"a","host":"h","port":0}`, `{"username":"a","host":"h","port":"x"}`} {
		if _, err := URLFromSecretJSON([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func FuzzURLFromSecretJSON(f *testing.F) {
	f.Add(`{"username":"app","password":"x","host":"db","port":5432,"dbname":"d"}`)
	f.Add(`{"username":"a","host":"h","port":"99999"}`)
	f.Fuzz(func(t *testing.T, in string) {
		u, err := URLFromSecretJSON([]byte(in))
		if err == nil && u == "" {
			t.Fatal("empty URL without an error")
		}
	})
}
