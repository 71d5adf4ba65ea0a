package storage

import (
	"errors"
	"slices"
	"sort"

	"github.com/mqttdesk/mqttdesk/model"
)

const appSettingsKey = "app"

// AppSettings returns the saved preferences, or the defaults; a field a
// newer or older mqttdesk did not save keeps its default.
func (s *Store) AppSettings() model.AppSettings {
	a := model.DefaultAppSettings()
	if err := s.GetSetting(appSettingsKey, &a); err != nil || a.Validate() != nil {
		return model.DefaultAppSettings()
	}
	return a
}

// SaveAppSettings checks and saves a.
func (s *Store) SaveAppSettings(a model.AppSettings) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.PutSetting(appSettingsKey, a)
}

const foldersKey = "folders"

// Folders returns the names of the folders of profiles: those profiles
// are in, and those made empty with AddFolder. Sorted.
func (s *Store) Folders() ([]string, error) {
	var names []string
	_ = s.GetSetting(foldersKey, &names)
	profiles, err := s.Profiles()
	if err != nil {
		return nil, err
	}
	for _, p := range profiles {
		if p.Folder != "" && !slices.Contains(names, p.Folder) {
			names = append(names, p.Folder)
		}
	}
	sort.Strings(names)
	return names, nil
}

// AddFolder keeps a folder even while no profile is in it.
func (s *Store) AddFolder(name string) error {
	if name == "" {
		return errors.New("a folder needs a name")
	}
	var names []string
	_ = s.GetSetting(foldersKey, &names)
	if slices.Contains(names, name) {
		return nil
	}
	return s.PutSetting(foldersKey, append(names, name))
}

// RemoveFolder forgets a folder; its profiles move to the top level.
func (s *Store) RemoveFolder(name string) error {
	var names []string
	_ = s.GetSetting(foldersKey, &names)
	if err := s.PutSetting(foldersKey, slices.DeleteFunc(names, func(n string) bool { return n == name })); err != nil {
		return err
	}
	profiles, err := s.Profiles()
	if err != nil {
		return err
	}
	for _, p := range profiles {
		if p.Folder == name {
			p.Folder = ""
			if _, err := s.SaveProfile(p); err != nil {
				return err
			}
		}
	}
	return nil
}
