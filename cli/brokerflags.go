package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/mqttdesk/mqttdesk/localbroker"
)

// BrokerUsersEnv names the environment variable `mqttdesk broker` reads
// users from, one NAME:PASSWORD a line, like --password-file.
const BrokerUsersEnv = "MQTTDESK_BROKER_USERS"

// userList collects repeated --user NAME:PASS flags.
type userList []localbroker.User

func (u *userList) String() string { return fmt.Sprint(len(*u), " users") }

func (u *userList) Set(v string) error {
	user, err := parseUser(v)
	if err != nil {
		return err
	}
	*u = append(*u, user)
	return nil
}

func parseUser(v string) (localbroker.User, error) {
	name, pass, ok := strings.Cut(v, ":")
	if !ok || name == "" {
		return localbroker.User{}, errors.New("use NAME:PASSWORD")
	}
	return localbroker.User{Name: name, Password: pass}, nil
}

// readUsers reads one NAME:PASSWORD a line from r; blank lines and lines
// starting with # are skipped. Errors name the line (of what, say the
// callers), never its content.
func readUsers(r io.Reader) ([]localbroker.User, error) {
	var users []localbroker.User
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
			continue
		}
		u, err := parseUser(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		users = append(users, u)
	}
	return users, sc.Err()
}

// usersFromFileAndEnv reads the users of --password-file (when path is
// set) and of BrokerUsersEnv (when set).
func usersFromFileAndEnv(path string) ([]localbroker.User, error) {
	var users []localbroker.User
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("password file: %w", err)
		}
		defer f.Close()
		if users, err = readUsers(f); err != nil {
			return nil, fmt.Errorf("password file %s, %w", path, err)
		}
	}
	if env := os.Getenv(BrokerUsersEnv); env != "" {
		more, err := readUsers(strings.NewReader(env))
		if err != nil {
			return nil, fmt.Errorf("%s, %w", BrokerUsersEnv, err)
		}
		users = append(users, more...)
	}
	return users, nil
}

// sizeFlag is a size in bytes given as 1048576, 64KiB, 32MiB or 1GiB
// (K, M and G mean the same).
type sizeFlag struct {
	v   *int64
	max int64
}

func (f sizeFlag) String() string {
	if f.v == nil {
		return ""
	}
	return formatSize(*f.v)
}

func (f sizeFlag) Set(s string) error {
	n, err := parseSize(s)
	if err == nil && n > f.max {
		err = fmt.Errorf("at most %s", formatSize(f.max))
	}
	if err != nil {
		return err
	}
	*f.v = n
	return nil
}

var sizeUnits = []struct {
	suffix string
	shift  uint
}{{"GIB", 30}, {"MIB", 20}, {"KIB", 10}, {"G", 30}, {"M", 20}, {"K", 10}, {"B", 0}, {"", 0}}

func parseSize(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	for _, unit := range sizeUnits {
		num, ok := strings.CutSuffix(u, unit.suffix)
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(num), 10, 64)
		if err != nil || n < 0 || n > math.MaxInt64>>unit.shift {
			break
		}
		return n << unit.shift, nil
	}
	return 0, fmt.Errorf("%q: use a number of bytes, or one with KiB, MiB or GiB, such as 32MiB", s)
}

// formatSize writes n in the largest binary unit that divides it.
func formatSize(n int64) string {
	for _, unit := range sizeUnits[:3] {
		if n >= 1<<unit.shift && n%(1<<unit.shift) == 0 {
			return strconv.FormatInt(n>>unit.shift, 10) + unit.suffix[:1] + "iB"
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
