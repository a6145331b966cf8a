package config

// RegionalServices configure the services every regional stack holds.
type RegionalServices struct{}

// problems checks the regional-services settings.
func (r *RegionalServices) problems() problems { return nil }
