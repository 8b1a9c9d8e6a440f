"""Numbered schema migrations; PRAGMA user_version records how many have run."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the foundation
    """
    CREATE TABLE hubs (
        id INTEGER PRIMARY KEY,
        code TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        pin_hash TEXT NOT NULL,
        locale TEXT NOT NULL,
        sms_number TEXT UNIQUE,
        playbook_id TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'closed',
        status_changed_at TEXT,
        created_at TEXT NOT NULL
    );
    CREATE TABLE people (
        id INTEGER PRIMARY KEY,
        name TEXT,
        locale TEXT NOT NULL,
        locale_explicit INTEGER NOT NULL DEFAULT 0,
        is_coordinator INTEGER NOT NULL DEFAULT 0,
        opted_out INTEGER NOT NULL DEFAULT 0,
        opted_out_at TEXT,
        hub_id INTEGER REFERENCES hubs(id),
        pin_failures INTEGER NOT NULL DEFAULT 0,
        pin_locked_until TEXT,
        telegram_username TEXT,
        created_at TEXT NOT NULL
    );
    CREATE INDEX people_username ON people(telegram_username);
    CREATE TABLE addresses (
        address TEXT PRIMARY KEY,          -- 'sms:+15145550101' or 'telegram:123456'
        channel TEXT NOT NULL,
        person_id INTEGER NOT NULL REFERENCES people(id),
        last_seen_at TEXT
    );
    CREATE INDEX addresses_person ON addresses(person_id);
    CREATE TABLE memberships (
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        person_id INTEGER NOT NULL REFERENCES people(id),
        joined_at TEXT NOT NULL,
        PRIMARY KEY (hub_id, person_id)
    );
    CREATE TABLE role_assignments (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        person_id INTEGER NOT NULL REFERENCES people(id),
        role_id TEXT NOT NULL,
        assigned_by INTEGER REFERENCES people(id),
        assigned_at TEXT NOT NULL,
        unassigned_by INTEGER REFERENCES people(id),
        unassigned_at TEXT            -- NULL while the role is held; history is kept
    );
    CREATE INDEX role_assignments_current ON role_assignments(hub_id, unassigned_at);
    CREATE TABLE inbound (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        provider_id TEXT NOT NULL,
        address TEXT NOT NULL,
        to_address TEXT,
        text TEXT NOT NULL,
        received_at TEXT NOT NULL,
        processed_at TEXT,
        error TEXT,
        UNIQUE (channel, provider_id)
    );
    CREATE INDEX inbound_unprocessed ON inbound(processed_at) WHERE processed_at IS NULL;
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        person_id INTEGER REFERENCES people(id),
        address TEXT NOT NULL,
        channel TEXT NOT NULL,
        text TEXT NOT NULL,
        msg_key TEXT,
        priority TEXT NOT NULL,       -- urgent | normal | bulk
        status TEXT NOT NULL,         -- pending | sending | sent | delivered | failed | suppressed
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at TEXT NOT NULL,
        provider_id TEXT,
        error TEXT,
        inbound_id INTEGER REFERENCES inbound(id),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
    );
    CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
    CREATE INDEX outbox_address ON outbox(address, id);
    CREATE TABLE items (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,           -- need | offer
        number INTEGER NOT NULL,
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        person_id INTEGER NOT NULL REFERENCES people(id),
        channel TEXT,
        category TEXT,
        text TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'open',
        resolution TEXT,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        closed_at TEXT,
        UNIQUE (kind, number)
    );
    CREATE TABLE activity_log (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER REFERENCES hubs(id),
        person_id INTEGER REFERENCES people(id),
        role TEXT,
        action TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '',
        at TEXT NOT NULL
    );
    CREATE INDEX activity_log_hub ON activity_log(hub_id, at);
    CREATE TABLE sim_mailbox (
        id INTEGER PRIMARY KEY,
        address TEXT NOT NULL,
        text TEXT NOT NULL,
        outbox_id INTEGER,
        at TEXT NOT NULL
    );
    CREATE INDEX sim_mailbox_address ON sim_mailbox(address, id);
    """,
    # 2: delivery engine: senders, provider status, segments
    """
    ALTER TABLE outbox ADD COLUMN sender TEXT;
    ALTER TABLE outbox ADD COLUMN provider_status TEXT;
    ALTER TABLE outbox ADD COLUMN error_code TEXT;
    ALTER TABLE outbox ADD COLUMN sent_at TEXT;
    CREATE INDEX outbox_provider_id ON outbox(provider_id);
    """,
    # 3: Telegram: update details, unreachable addresses, buttons, team groups, acknowledgements
    """
    ALTER TABLE inbound ADD COLUMN payload TEXT;
    ALTER TABLE addresses ADD COLUMN unreachable INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN buttons TEXT;
    CREATE TABLE hub_groups (
        chat_id TEXT PRIMARY KEY,          -- the Telegram group's chat id
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        linked_by INTEGER REFERENCES people(id),
        linked_at TEXT NOT NULL
    );
    CREATE TABLE acks (
        ref TEXT NOT NULL,                 -- what was acknowledged: 'o12' (an outbox alert)
        person_id INTEGER NOT NULL REFERENCES people(id),
        at TEXT NOT NULL,
        PRIMARY KEY (ref, person_id)
    );
    """,
    # 4: one person on several channels: LINK codes and merged people
    """
    ALTER TABLE people ADD COLUMN merged_into INTEGER REFERENCES people(id);
    CREATE TABLE link_codes (
        person_id INTEGER PRIMARY KEY REFERENCES people(id),  -- who asked to link
        target_id INTEGER NOT NULL REFERENCES people(id),      -- whose address gets the code
        code_hash TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 5: the board (quantities, critical items, matches with consent), reception, lifelines,
    # status reports
    """
    ALTER TABLE items ADD COLUMN quantity INTEGER;
    ALTER TABLE items ADD COLUMN location TEXT;
    ALTER TABLE items ADD COLUMN critical INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE items ADD COLUMN significant INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE items ADD COLUMN matched_with INTEGER;
    ALTER TABLE hubs ADD COLUMN address TEXT;
    ALTER TABLE people ADD COLUMN list_state TEXT;
    CREATE TABLE matches (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        need INTEGER NOT NULL,            -- need number (N12)
        offer INTEGER NOT NULL,           -- offer number (O7)
        need_yes INTEGER NOT NULL DEFAULT 0,
        offer_yes INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'pending',   -- pending | shared | undone
        made_by INTEGER REFERENCES people(id),
        created_at TEXT NOT NULL
    );
    CREATE TABLE onsite (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        delta INTEGER NOT NULL,
        total INTEGER NOT NULL,
        person_id INTEGER REFERENCES people(id),
        at TEXT NOT NULL
    );
    CREATE TABLE lifelines (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        topic TEXT NOT NULL,              -- power | water | phones | roads | building | toilets
        state TEXT NOT NULL,
        unconfirmed INTEGER NOT NULL DEFAULT 0,
        person_id INTEGER REFERENCES people(id),
        at TEXT NOT NULL
    );
    CREATE TABLE sitreps (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        number INTEGER NOT NULL,
        body TEXT NOT NULL,               -- JSON of the report's figures
        person_id INTEGER REFERENCES people(id),
        at TEXT NOT NULL,
        UNIQUE (hub_id, number)
    );
    """,
    # 6: find a hub's open notes, and a person's people, without scanning
    """
    CREATE INDEX items_board ON items(hub_id, status, kind, category, expires_at);
    CREATE INDEX items_person ON items(person_id);
    CREATE INDEX matches_pending ON matches(status, need, offer);
    """,
    # 7: the schedule (source of truth for every due time), check-in rounds and their asks
    """
    CREATE TABLE due (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,               -- round | step | sitrep
        hub_id INTEGER REFERENCES hubs(id),
        ref TEXT NOT NULL DEFAULT '',     -- the check-in id, or the round id for a step
        due_at TEXT NOT NULL,
        done_at TEXT
    );
    CREATE INDEX due_pending ON due(done_at, due_at);
    CREATE TABLE rounds (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        checkin TEXT NOT NULL,
        step INTEGER NOT NULL DEFAULT 0,  -- escalation steps taken
        started_at TEXT NOT NULL,
        closed_at TEXT
    );
    CREATE TABLE asks (
        id INTEGER PRIMARY KEY,
        round_id INTEGER NOT NULL REFERENCES rounds(id),
        person_id INTEGER REFERENCES people(id),   -- NULL: nobody holds the role
        role TEXT NOT NULL,
        state TEXT NOT NULL,              -- waiting | ok | help | silent | unfilled
        answer TEXT,
        answered_at TEXT
    );
    CREATE INDEX asks_waiting ON asks(person_id, state);
    """,
    # 8: broadcasts with per-recipient tracking, and roll calls
    """
    CREATE TABLE broadcasts (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER REFERENCES hubs(id),   -- NULL: every hub
        role TEXT,                            -- only this role's holders, if set
        body TEXT NOT NULL,                   -- free text, or a template id after '#'
        priority TEXT NOT NULL,
        by_person INTEGER REFERENCES people(id),
        created_at TEXT NOT NULL,
        send_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE TABLE broadcast_recipients (
        broadcast_id INTEGER NOT NULL REFERENCES broadcasts(id),
        person_id INTEGER NOT NULL REFERENCES people(id),
        outbox_id INTEGER REFERENCES outbox(id),
        skipped TEXT,                         -- opted_out | unreachable
        acked_at TEXT,
        PRIMARY KEY (broadcast_id, person_id)
    );
    CREATE INDEX broadcast_recipients_person ON broadcast_recipients(person_id, acked_at);
    CREATE TABLE rollcalls (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        by_person INTEGER REFERENCES people(id),
        started_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        closed_at TEXT
    );
    CREATE TABLE rollcall_answers (
        rollcall_id INTEGER NOT NULL REFERENCES rollcalls(id),
        person_id INTEGER NOT NULL REFERENCES people(id),
        answer TEXT,                          -- NULL until they answer: 1 safe, 2 need help
        answered_at TEXT,
        PRIMARY KEY (rollcall_id, person_id)
    );
    """,
    # 9: shift reminders are sent once per assignment
    """
    ALTER TABLE role_assignments ADD COLUMN reminded_at TEXT;
    """,
    # 10: the dispatcher walks pending messages in lane order and stops after a batch, instead
    # of sorting every pending row each time (a 10,000-member broadcast made that 8 ms a look)
    """
    CREATE INDEX outbox_lane ON outbox(
        (CASE priority WHEN 'urgent' THEN 0 WHEN 'normal' THEN 1 ELSE 2 END), id
    ) WHERE status = 'pending';
    CREATE INDEX outbox_unsent_address ON outbox(address, id)
        WHERE status IN ('pending', 'sending');
    """,
    # 11: a reply finds its open roll call, and each message the coordinators, without a
    # table scan; outbox_unsent_address took over from outbox_address, which no query uses
    """
    CREATE INDEX rollcall_answers_waiting ON rollcall_answers(person_id) WHERE answer IS NULL;
    CREATE INDEX people_coordinators ON people(id) WHERE is_coordinator = 1;
    DROP INDEX outbox_address;
    """,
    # 12: the lead is told once that a role's holder cannot be reached (STOP, or no channel
    # works); a new STOP or a new silence after they wrote again tells them anew
    """
    ALTER TABLE role_assignments ADD COLUMN cut_off_told_at TEXT;
    """,
    # 13: lanes first, order within a lane: `head` marks the oldest unsent row of each address
    # in each lane, and the dispatcher walks only pending heads, sender by sender, so an urgent
    # message overtakes that person's bulk backlog, one number's backlog hides nothing of
    # another's, and a look costs the same however deep the queues are.
    # outbox_unsent_lane takes over from outbox_unsent_address, and outbox_head from outbox_lane.
    """
    ALTER TABLE outbox ADD COLUMN head INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE outbox ADD COLUMN turn INTEGER;  -- when it became a head (id units): see outbox.py
    CREATE INDEX outbox_unsent_lane ON outbox(address, priority, id)
        WHERE status IN ('pending', 'sending');
    UPDATE outbox SET head = 1 WHERE status IN ('pending', 'sending') AND NOT EXISTS (
        SELECT 1 FROM outbox p WHERE p.address = outbox.address AND p.priority = outbox.priority
        AND p.status IN ('pending', 'sending') AND p.id < outbox.id);
    UPDATE outbox SET turn = id WHERE head = 1;
    CREATE INDEX outbox_head ON outbox(
        (channel || ' ' || COALESCE(sender, '')),
        (CASE priority WHEN 'urgent' THEN 0 WHEN 'alert' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
        turn, next_attempt_at
    ) WHERE status = 'pending' AND head = 1;
    DROP INDEX outbox_lane;
    DROP INDEX outbox_unsent_address;
    """,
    # 14: OK confirms the last thing a person was asked: each alert that asks for OK records
    # what it is about (replacing acks, which knew only the message); roll-call answers keep
    # their words, and a later answer replaces an earlier one
    """
    CREATE TABLE confirmations (
        id INTEGER PRIMARY KEY,
        person_id INTEGER NOT NULL REFERENCES people(id),
        hub_id INTEGER REFERENCES hubs(id),
        kind TEXT NOT NULL,
        label TEXT NOT NULL,
        subject_id INTEGER REFERENCES people(id),
        outbox_id INTEGER,
        asked_at TEXT NOT NULL,
        confirmed_at TEXT
    );
    CREATE INDEX confirmations_person ON confirmations(person_id, asked_at);
    CREATE INDEX confirmations_outbox ON confirmations(outbox_id);
    CREATE INDEX confirmations_topic ON confirmations(kind, label, hub_id);
    DROP TABLE acks;
    ALTER TABLE rollcall_answers ADD COLUMN text TEXT;
    DROP INDEX rollcall_answers_waiting;
    CREATE INDEX rollcall_answers_person ON rollcall_answers(person_id, rollcall_id);
    """,
    # 15: flood control per sender (domain/flood.py): each sender's token bucket, kept beside
    # the journal so a restart or a rolled-back message judges the same; a text over the limit
    # is stored and marked throttled, not passed on
    """
    ALTER TABLE inbound ADD COLUMN throttled_at TEXT;
    CREATE TABLE flood (
        address TEXT PRIMARY KEY,         -- the sender, as in inbound.address
        tokens REAL NOT NULL,
        at TEXT NOT NULL,                 -- when `tokens` was counted
        held_until TEXT                   -- a hold under way: nothing passes before this
    );
    """,
    # 16: retention (store/retention.py): message texts are purged in place, so counts, tallies
    # and references stay; people no hub needs any more lose their addresses and names
    """
    ALTER TABLE inbound ADD COLUMN purged_at TEXT;
    ALTER TABLE outbox ADD COLUMN purged_at TEXT;
    ALTER TABLE people ADD COLUMN forgotten_at TEXT;
    CREATE INDEX inbound_unpurged ON inbound(received_at) WHERE purged_at IS NULL;
    CREATE INDEX outbox_unpurged ON outbox(created_at) WHERE purged_at IS NULL;
    """,
    # 17: LINK abuse limits (domain/linking.py): every code sent and every wrong code typed
    # is counted, so codes to one address and wrong guesses by one person are capped; a
    # request to a coordinator's or role holder's address waits for that address's own YES
    """
    ALTER TABLE link_codes ADD COLUMN confirm_by_target INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX link_codes_target ON link_codes(target_id);
    CREATE TABLE link_events (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,               -- code (one was sent) | wrong (a wrong code typed)
        person_id INTEGER NOT NULL REFERENCES people(id),  -- who asked, or who typed it
        target_id INTEGER REFERENCES people(id),           -- whose address got the code
        at TEXT NOT NULL
    );
    CREATE INDEX link_events_target ON link_events(target_id, kind, at);
    CREATE INDEX link_events_person ON link_events(person_id, kind, at);
    """,
    # 18: staff replies (domain/relay.py): each message routed to a role is remembered, without
    # its text, so a holder of that role (or the lead) may answer it with R M6 <text>
    """
    CREATE TABLE routed (
        id INTEGER PRIMARY KEY,
        hub_id INTEGER NOT NULL REFERENCES hubs(id),
        person_id INTEGER NOT NULL REFERENCES people(id),  -- who wrote
        role_id TEXT NOT NULL,            -- the role it was meant for
        at TEXT NOT NULL
    );
    CREATE INDEX routed_person ON routed(person_id, at);
    """,
    # 19: delivery receipts that come before the send recorded their provider id (a status
    # callback can beat mark_sent on a loaded machine): kept, and applied when mark_sent
    # stores that id (store/delivery.py); the retention job drops the unmatched after a day
    """
    CREATE TABLE early_receipts (
        id INTEGER PRIMARY KEY,
        provider_id TEXT NOT NULL,
        provider_status TEXT NOT NULL,    -- the provider's own word, e.g. undelivered
        status TEXT NOT NULL,             -- what it reports: sent | delivered | failed
        error_code TEXT,
        opted_out INTEGER NOT NULL DEFAULT 0,  -- the recipient blocked us (Twilio 21610)
        received_at TEXT NOT NULL
    );
    CREATE INDEX early_receipts_provider ON early_receipts(provider_id, id);
    CREATE INDEX early_receipts_received ON early_receipts(received_at);
    """,
    # 20: console accounts (store/accounts.py): who logs in to the web console, with an argon2
    # hash, never the password; a lead sees one hub. Failed logins are kept per user name and
    # client address, so 5 in 15 minutes lock that pair (domain/console_access.py)
    """
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE,    -- lower case, as typed in the login form
        password_hash TEXT NOT NULL,      -- argon2id, with its parameters and salt
        role TEXT NOT NULL CHECK (role IN ('coordinator', 'lead')),
        hub_id INTEGER REFERENCES hubs(id),
        created_at TEXT NOT NULL,
        password_changed_at TEXT NOT NULL,  -- sessions from before it are void
        CHECK ((role = 'lead') = (hub_id IS NOT NULL))
    );
    CREATE TABLE login_failures (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL,           -- as typed (lower case), known account or not
        client TEXT NOT NULL,             -- the client's address
        at TEXT NOT NULL
    );
    CREATE INDEX login_failures_pair ON login_failures(username, client, at);
    CREATE INDEX login_failures_at ON login_failures(at);
    """,
    # 21: console sessions (store/sessions.py): the cookie's token is kept only as its sha256,
    # with the CSRF secret every form of that session carries; a session ends at expires_at
    """
    CREATE TABLE sessions (
        id INTEGER PRIMARY KEY,
        token_hash TEXT NOT NULL UNIQUE,  -- sha256 of the cookie's random 32 bytes, hex
        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        csrf_secret TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE INDEX sessions_expires ON sessions(expires_at);
    """,
    # 22: the pacing booking (store/pacing.py), shared by every worker on the database: when
    # each key (a sender, a chat) may next send. A key whose time has passed is the same as no
    # row; rows are few (one per sender and per chat) and rewritten in place, so none is deleted
    """
    CREATE TABLE pacing (
        key TEXT NOT NULL PRIMARY KEY,    -- a channel's limit key, e.g. sms +15145550001
        free_at TEXT NOT NULL             -- ISO time the key may next send at
    );
    """,
    # 23: who is sending a row (store/delivery.py): the worker marking it sending writes its
    # token here. A restarted worker or one past a storage fault sends its own again; another
    # worker's only once that send's lease has run out (HUBBOT_SEND_LEASE), not while in flight
    """
    ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
    """,
    # 24: official alerts (CAP, issue 16) and exercises. A hub's location, which an alert's area
    # is tested against (domain/geo.py), and whether it is in exercise mode (its messages say
    # EXERCICE / EXERCISE). Every CAP document received, with what became of it and why
    # (`hubbot alerts`); its number is the A in A3. A relay to a hub is a broadcast of it.
    """
    ALTER TABLE hubs ADD COLUMN lat REAL;
    ALTER TABLE hubs ADD COLUMN lon REAL;
    ALTER TABLE hubs ADD COLUMN sgc TEXT;         -- Statistics Canada SGC code, e.g. 2466023
    ALTER TABLE hubs ADD COLUMN exercise INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE cap_alerts (
        id INTEGER PRIMARY KEY,
        sender TEXT,                  -- NULL for a document that could not be read
        identifier TEXT,
        sent TEXT,                    -- as written: references name it by this text
        msg_type TEXT,                -- Alert | Update | Cancel
        status TEXT,                  -- Actual | Exercise | System | Test | Draft
        source TEXT NOT NULL,         -- the feed URL or stream it came from
        received_at TEXT NOT NULL,
        outcome TEXT NOT NULL,        -- relayed | applied | superseded | cancelled | dropped
        reason TEXT,                  -- why, in plain words
        severity TEXT,
        urgency TEXT,
        certainty TEXT,
        event TEXT,
        area TEXT,                    -- the areas' descriptions
        headline_fr TEXT,
        headline_en TEXT,
        text_fr TEXT,                 -- the whole text, for the console and Telegram
        text_en TEXT,
        sms_fr TEXT,                  -- what an SMS carries (3 segments at most)
        sms_en TEXT,
        expires_at TEXT,
        superseded_by INTEGER REFERENCES cap_alerts(id),
        UNIQUE (sender, identifier, sent)
    );
    CREATE INDEX cap_alerts_received ON cap_alerts(received_at);
    ALTER TABLE broadcasts ADD COLUMN cap_alert_id INTEGER REFERENCES cap_alerts(id);
    CREATE INDEX broadcasts_cap_alert ON broadcasts(cap_alert_id);
    """,
    # 25: PostgreSQL numbers rows from sequences (migrations_pg.py); SQLite's rowid stays.
    """
    SELECT 1;
    """,
    # 26: a person's hubs found through an index (each text reads them), and a count of each
    # hub's membership changes, so the processor keeps a large hub's members between batches
    # (service/batch_hubs.py). On SQLite triggers count them, every writer's, a CLI's included;
    # PostgreSQL keeps no count (migrations_pg.py).
    """
    CREATE INDEX memberships_person ON memberships(person_id);
    CREATE INDEX role_assignments_person ON role_assignments(person_id, unassigned_at);
    ALTER TABLE hubs ADD COLUMN members_changes INTEGER NOT NULL DEFAULT 0;
    """,
    # 27: the rows still to run, indexed alone. Claiming a row then only drops its entry, where
    # due_pending moved it among every row ever run (issue 17: claiming a region's 7,500 due
    # rows took a tenth of the scheduler's pass), and the index stays as small as the work.
    """
    DROP INDEX due_pending;
    CREATE INDEX due_waiting ON due(due_at) WHERE done_at IS NULL;
    """,
]

# What only SQLite runs after a migration (PostgreSQL's own is in migrations_pg.py).
SQLITE_AFTER: dict[int, str] = {
    26: """
    CREATE TRIGGER memberships_added AFTER INSERT ON memberships BEGIN
        UPDATE hubs SET members_changes = members_changes + 1 WHERE id = NEW.hub_id;
    END;
    CREATE TRIGGER memberships_removed AFTER DELETE ON memberships BEGIN
        UPDATE hubs SET members_changes = members_changes + 1 WHERE id = OLD.hub_id;
    END;
    CREATE TRIGGER memberships_moved AFTER UPDATE ON memberships BEGIN
        UPDATE hubs SET members_changes = members_changes + 1
        WHERE id IN (OLD.hub_id, NEW.hub_id);
    END;
    """,
}
