"""Weekly rosters with OR-Tools CP-SAT: who works which shift, with lunch and breaks.

Inputs: agents (skills with levels, contracted paid hours per week, availability,
requested days off, preferred start band, team; ``inputs`` documents the agents CSV
and derives the agents of a scenario with the engine's ids A1001, ...), shift templates
(length, start window and step, lunch and breaks each inside a window measured from the
shift start, night shifts crossing midnight), rules (days per week, minimum rest,
consecutive days, weekend days off, hours tolerance) and the requirement per skill and
interval (agents on the phone, net of shrinkage: ``wfm.staffing.latest_requirements``
or a CSV ``skill, ds, required``).

Design (``solver``), chosen to stay small at 150+ agents:

- Time grid. Everything is counted on slots of ``gcd`` of the interval, template
  starts, lengths and windows (15 minutes for 30-minute intervals with 15-minute
  breaks). Requirements become slot-agents per interval (``ceil(required x slots)``).
- Shift choice. One boolean per agent, day and shift option (template x start). Hard
  rules are linear rows on an agent's booleans only: at most one shift a day, days per
  week, paid minutes = contract (+- tolerance), rest (for each end time of day d: a shift
  ending then excludes every next-day shift starting within the rest), consecutive days
  (every window of max+1 days), weekend days off. No agent-by-slot variables.
- Breaks and lunch, implicitly (Bechtold-Jacobs / Aykin style). Agents with the same
  skill set are a pool; per pool, day and option an integer counts the agents working it,
  and per activity (lunch, break 1, break 2) integers count how many of them start it at
  each allowed offset (sum = the agent count). Templates require the activity windows to
  be ordered and disjoint, so any offsets combine into a valid day and the counts can be
  dealt out to the agents afterwards (``_activities``): exact, at a fraction of the size
  of per-agent break variables.
- Multi-skill coverage. Per pool and interval the slot-agents on the phone (shifts minus
  lunches and breaks) are split among the pool's skills by flow variables, and per
  skill and interval ``sum of flows + under = required``. This is what skill-based
  routing achieves when every queue has calls waiting; levels do not change coverage
  (they only name the primary skill surplus time is reported under, see ``coverage``).
- Objective (one solve, priorities by weights, ``domain.Weights``): 100 x slot-agents
  short (x an optional per-skill weight) + 1 x slot-agents beyond the requirement
  (including any time on the phone where nothing is required) + 10 per shift outside
  the agent's preferred start band. One slot of under-coverage outweighs ten
  preference violations; over-coverage is nearly fixed by the contracts anyway.
- Deferred channels (blended rosters). A requirement row with method ``workload``
  (``wfm.staffing``: e-mail, SMS, web callback, voicemail) is a skill like a queue:
  only agents with the channel among their skills cover it (scenario agents get their
  group's ``deferred`` channels at level 1), and an agent's slot counts once, whichever
  skill the flow gives it to. Voice first: a slot short on a deferred channel costs 50
  (``Weights.deferred_under``) instead of 100, so a multi-skilled agent goes to voice
  whenever both are short, and still to deferred work before any preference; the
  coverage report (``coverage.allocate``) and the greedy start serve voice first too.
  Deferred requirements are unrounded (``agents_fte``: 0.4 agent is 1 of 2 quarter-hour
  slots), so a blended agent can cover a share of them.
- Search (``solve_roster``). A greedy start: agents one at a time, each given the week
  (a tiny CP-SAT model of that agent's rules) that covers most of what is still
  uncovered, breaks counted as a uniform thinning; then passes of re-optimising one
  agent against the rest. Every agent whose own rules cannot hold is diagnosed here
  (``diagnose_agent`` names the rule and the numbers), which is exact: coverage is soft
  and no rule links two agents, so the roster is feasible iff every agent's week is.
  Then one CP-SAT model of the whole week, hinted with the greedy roster (complete and
  feasible, so CP-SAT starts from it): step 0 fixes the shifts and places every lunch
  and break optimally; then large-neighbourhood steps free the shifts of a few agents
  (half from one skill pool) or every agent's start time on one day, and re-optimise
  them with all breaks; identical agents are ordered by their day pattern (symmetry
  breaking) when the whole model is searched at once (up to ``FULL_SEARCH_AGENTS``).
- Bound and gap. The LP relaxation (GLOP) of the same model gives a lower bound of the
  objective (and, with under-coverage as the only objective, of the under-coverage:
  ``lp_under_bound``); CP-SAT's bound when it searched the whole model.
  ``gap = (objective - bound) / max(1, |objective|)``. The LP bound is weak where
  coverage integrality matters (a fractional agent in every interval), so the gap
  overstates the distance to the optimum.

Outputs: ``RosterResult`` (rows per agent and day: shift, lunch, breaks), coverage per
skill and interval and the summary (``coverage``), exports (``exports``: the engine's
roster CSV, Excel, iCalendar), the planning store (``store``: ``roster_runs``,
``roster_shifts``, ``roster_coverage``, ``latest_roster``), the CLI (``cli``) and the
weekly job (``wfm.jobs.roster_job``).
"""
