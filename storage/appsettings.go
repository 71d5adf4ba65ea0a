package storage

import (
	"errors"
	"fmt"
	"slices"
	"sort"
)

// Themes the window can use.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

const appSettingsKey = "app"

// AppSettings are the user's preferences for the window.
type AppSettings struct {
	Theme               string `json:"theme"`               // ThemeSystem, ThemeLight or ThemeDark
	PayloadDisplayLimit int    `json:"payloadDisplayLimit"` // bytes shown before "show all"
	MessagesInMemory    int    `json:"messagesInMemory"`    // newest messages kept in memory per connection
}

// DefaultAppSettings follow the system theme, show 64 KiB of a payload and
// keep the newest 5,000 messages of a connection in memory.
func DefaultAppSettings() AppSettings {
	return AppSettings{Theme: ThemeSystem, PayloadDisplayLimit: 64 << 10, MessagesInMemory: 5000}
}

// Validate reports the first setting that cannot work.
func (a AppSettings) Validate() error {
	if !slices.Contains([]string{ThemeSystem, ThemeLight, ThemeDark}, a.Theme) {
		return fmt.Errorf("theme %q is not system, light or dark", a.Theme)
	}
	if a.PayloadDisplayLimit < 256 {
		return errors.New("the payload display limit must be at least 256 bytes")
	}
	if a.MessagesInMemory < 100 || a.MessagesInMemory > 1_000_000 {
		return errors.New("messages kept in memory must be between 100 and 1,000,000")
	}
	return nil
}

// AppSettings returns the saved preferences, or the defaults; a field a
// newer or older mqttdesk did not save keeps its default.
func (s *Store) AppSettings() AppSettings {
	a := DefaultAppSettings()
	if err := s.GetSetting(appSettingsKey, &a); err != nil || a.Validate() != nil {
		return DefaultAppSettings()
	}
	return a
}

// SaveAppSettings checks and saves a.
func (s *Store) SaveAppSettings(a AppSettings) error {
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
