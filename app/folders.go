package app

import (
	"slices"

	"github.com/mqttdesk/mqttdesk/model"
)

// Folders returns the names of the folders of connections, sorted.
func (a *App) Folders() ([]string, error) { return a.store.Folders() }

// AddFolder keeps a folder even while no connection is in it.
func (a *App) AddFolder(name string) error {
	defer a.changed()
	return a.store.AddFolder(name)
}

// ReorderProfile moves profile id up (delta < 0) or down (delta > 0) among
// the connections of its folder, numbering the folder's order afresh.
func (a *App) ReorderProfile(id string, delta int) error {
	all, err := a.store.Profiles()
	if err != nil {
		return err
	}
	i := slices.IndexFunc(all, func(p model.Profile) bool { return p.ID == id })
	if i < 0 {
		return ErrUnknownProfile
	}
	folder := all[i].Folder
	same := slices.DeleteFunc(slices.Clone(all), func(p model.Profile) bool { return p.Folder != folder })
	from := slices.IndexFunc(same, func(p model.Profile) bool { return p.ID == id })
	to := min(max(from+delta, 0), len(same)-1)
	moved := same[from]
	same = slices.Insert(slices.Delete(same, from, from+1), to, moved)
	for order, p := range same {
		if p.Order == order {
			continue
		}
		p.Order = order
		if _, err := a.store.SaveProfile(p); err != nil {
			return err
		}
	}
	a.changed()
	return nil
}

// FilterProfiles returns the connections whose names fuzzily match
// pattern, best first, each with the positions of the matched characters;
// an empty pattern returns all, in sidebar order.
func (a *App) FilterProfiles(pattern string) ([]model.Profile, []model.FuzzyMatch, error) {
	if pattern == "" {
		list, err := a.store.Profiles()
		return list, make([]model.FuzzyMatch, len(list)), err
	}
	return a.store.FuzzyProfiles(pattern)
}
