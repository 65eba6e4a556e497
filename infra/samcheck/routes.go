package samcheck

import "github.com/opsight/opsight/shared/httpapi"

// ProjectRoutes returns the routes each HTTP function of this project serves,
// keyed by its directory under functions/. A new HTTP function adds its
// handler's route list here.
func ProjectRoutes() map[string][]string {
	return map[string][]string{
		"api": httpapi.New(httpapi.Config{}).Routes(),
	}
}
