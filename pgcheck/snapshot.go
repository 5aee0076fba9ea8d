package pgcheck

import (
	"time"
)

// Snapshot is what one read-only session saw. Each part that could not be
// read has its error in Errs, keyed by the part's name, and the rules that
// need it say unknown.
type Snapshot struct {
	Target     Target
	ConnectErr error
	// Deadline: the check's deadline passed (or the run was interrupted)
	// before the session was done; its failures are timeouts.
	Deadline bool
	Pooler   bool
	TLS      bool // the session is encrypted
	Loopback bool // the server was addressed on loopback (localhost, 127.0.0.0/8, ::1, a socket)
	Took     time.Duration

	VersionNum  int
	Version     string
	Database    string
	User        string
	Superuser   bool
	ReadAllStat bool // superuser or member of pg_read_all_stats
	OwnSessions int  // connections with application_name heroku-checkup, this one included

	Conn       Connections
	Activity   []Backend
	Cache      HitRate
	IndexCache HitRate
	Indexes    []Index
	Tables     []Table
	Databases  []DatabaseAge
	Sequences  []Sequence
	Settings   Settings
	DBSize     int64

	StatementsInstalled bool
	StatementsSchema    string
	Statements          []Statement
	StatementsReset     *time.Time

	Errs map[string]error

	// Heroku is the add-on as Heroku Data runs it (nil: not a Heroku
	// Postgres add-on, or no Data API in this run).
	Heroku *Heroku
	// Formation and BudgetVars are the app's process types and the config
	// vars that set their connections (WEB_CONCURRENCY, RAILS_MAX_THREADS,
	// MAX_THREADS, DB_POOL, SIDEKIQ_CONCURRENCY), for the connection budget.
	Formation  []Process
	BudgetVars map[string]string
}

// Connections in use and the limits that apply to this role and database.
type Connections struct {
	Total          int // client backends on the server
	ByRole         int // of the current role
	ByDatabase     int // to the current database
	MaxConnections int
	Reserved       int // superuser_reserved_connections + reserved_connections
	RoleLimit      int // rolconnlimit, -1 unlimited
	DatabaseLimit  int // datconnlimit, -1 unlimited
}

// Backend is one other session (pg_stat_activity).
type Backend struct {
	PID           int32
	User          string
	Application   string
	State         string // empty when hidden
	QuerySeconds  float64
	XactSeconds   float64
	StateSeconds  float64
	XminAge       int64 // 0 when none
	WaitEventType string
	WaitEvent     string
	Query         string
	BlockedBy     []int32
	Hidden        bool // "<insufficient privilege>"
}

// HitRate is a buffer hit ratio's counters.
type HitRate struct {
	Hit, Read int64
}

// Ratio is hit/(hit+read), 1 when there was no traffic.
func (h HitRate) Ratio() float64 {
	if h.Hit+h.Read == 0 {
		return 1
	}
	return float64(h.Hit) / float64(h.Hit+h.Read)
}

// Index is one index with its usage.
type Index struct {
	Schema, Table, Name string
	Scans               int64
	Size                int64
	Unique, Primary     bool
	Valid               bool
	Constraint          bool // backs a constraint
	TableOID            uint32
	Key                 string // indkey, column numbers in order
	AM                  string
	ExprPred            string // expressions and predicate, empty for plain columns
	Def                 string
}

// Table is one user table's statistics.
type Table struct {
	Schema, Name        string
	LiveTuples          int64
	DeadTuples          int64
	RelTuples           float64
	SeqScan, SeqTupRead int64
	IdxScan             int64
	IdxTupFetch         int64 // live rows fetched by index scans
	Size                int64
	LastVacuum          *time.Time
	LastAutovacuum      *time.Time
	LastAnalyze         *time.Time
	LastAutoanalyze     *time.Time
	RelPages            int64   // heap pages at the last VACUUM/ANALYZE
	RowWidth            float64 // sum of pg_stats.avg_width, 0 when never analysed
	AutovacuumEnabled   bool
	VacThreshold        float64
	VacScaleFactor      float64
	FreezeMaxAge        int64
	XIDAge              int64
	MXIDAge             int64
}

// DatabaseAge is a database's transaction and multixact ages.
type DatabaseAge struct {
	Name    string
	XIDAge  int64
	MXIDAge int64
}

// Sequence is a sequence and the column it feeds, if any.
type Sequence struct {
	Schema, Name string
	DataType     string
	LastValue    *int64
	MaxValue     int64
	Increment    int64
	Column       string // table.column it feeds, when owned
	ColumnType   string // integer, smallint, bigint
}

// Settings the rules depend on.
type Settings struct {
	FreezeMaxAge     int64
	MXIDFreezeMaxAge int64
	VacThreshold     float64
	VacScaleFactor   float64
	Autovacuum       bool
	TrackCounts      bool
	StatsReset       *time.Time // of the current database
}

// Statement is one pg_stat_statements row.
type Statement struct {
	QueryID    int64
	Calls      int64
	TotalMS    float64
	MeanMS     float64
	Rows       int64
	BlocksRead int64
	BlocksHit  int64
	Query      string
}
