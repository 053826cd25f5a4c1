-- The PostgreSQL form of sqlite/0008_screener_lists.sql, which says in
-- full what it does: the Message Screener's numbered boxes (sender-domain-N,
-- sender-N-mailbox with sender-N-domain, keyword-N, N from 1 to 99) become
-- one answer a list (sender-domains, senders, keywords), a value a line in
-- box order, trimmed, domains and mailboxes in lower case, empty boxes and
-- repeats left out; an answer that exists already is kept, and the
-- projects concerned move to a new revision.
--
-- SQLite's GLOB patterns are regular expressions here, group_concat is
-- string_agg and INSERT OR IGNORE is ON CONFLICT DO NOTHING. The new
-- updated_at has the store's fixed-width form, to the millisecond like
-- SQLite's strftime('%f').

UPDATE projects
SET revision = revision + 1,
	updated_at = to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS') || '000000Z'
WHERE id IN (
	SELECT project_id FROM answers
	WHERE step = 'smtp-message-screener'
		AND question ~ '^(sender-domain-[1-9][0-9]?|sender-[1-9][0-9]?-(mailbox|domain)|keyword-[1-9][0-9]?)$'
);

WITH boxes AS (
	SELECT project_id, step, updated_by, updated_at,
		CAST(substr(question, 15) AS INTEGER) AS n,
		lower(rtrim(btrim(value, ' ' || chr(9) || chr(10) || chr(13)), '.')) AS v
	FROM answers
	WHERE step = 'smtp-message-screener' AND question ~ '^sender-domain-[1-9][0-9]?$'
), firsts AS (
	SELECT project_id, step, v, min(n) AS n FROM boxes WHERE v <> '' GROUP BY project_id, step, v
)
INSERT INTO answers (project_id, step, question, value, version, updated_by, updated_at)
SELECT project_id, step, 'sender-domains', string_agg(v, chr(10) ORDER BY n), 1,
	(SELECT b.updated_by FROM boxes b WHERE b.project_id = firsts.project_id ORDER BY b.updated_at DESC LIMIT 1),
	(SELECT max(b.updated_at) FROM boxes b WHERE b.project_id = firsts.project_id)
FROM firsts
GROUP BY project_id, step
ON CONFLICT DO NOTHING;

WITH parts AS (
	SELECT project_id, step, updated_by, updated_at,
		CAST(split_part(question, '-', 2) AS INTEGER) AS n,
		CASE WHEN question LIKE 'sender-%-mailbox' THEN lower(btrim(value, ' ' || chr(9) || chr(10) || chr(13))) END AS mailbox,
		CASE WHEN question LIKE 'sender-%-domain' THEN lower(rtrim(btrim(value, ' ' || chr(9) || chr(10) || chr(13)), '.')) END AS domain
	FROM answers
	WHERE step = 'smtp-message-screener' AND question ~ '^sender-[1-9][0-9]?-(mailbox|domain)$'
), senders AS (
	SELECT project_id, step, n, coalesce(max(mailbox), '') || '@' || coalesce(max(domain), '') AS v
	FROM parts
	GROUP BY project_id, step, n
), firsts AS (
	SELECT project_id, step, v, min(n) AS n FROM senders WHERE v <> '@' GROUP BY project_id, step, v
)
INSERT INTO answers (project_id, step, question, value, version, updated_by, updated_at)
SELECT project_id, step, 'senders', string_agg(v, chr(10) ORDER BY n), 1,
	(SELECT p.updated_by FROM parts p WHERE p.project_id = firsts.project_id ORDER BY p.updated_at DESC LIMIT 1),
	(SELECT max(p.updated_at) FROM parts p WHERE p.project_id = firsts.project_id)
FROM firsts
GROUP BY project_id, step
ON CONFLICT DO NOTHING;

WITH boxes AS (
	SELECT project_id, step, updated_by, updated_at,
		CAST(substr(question, 9) AS INTEGER) AS n,
		btrim(value, ' ' || chr(9) || chr(10) || chr(13)) AS v
	FROM answers
	WHERE step = 'smtp-message-screener' AND question ~ '^keyword-[1-9][0-9]?$'
), firsts AS (
	SELECT project_id, step, v, min(n) AS n FROM boxes WHERE v <> '' GROUP BY project_id, step, v
)
INSERT INTO answers (project_id, step, question, value, version, updated_by, updated_at)
SELECT project_id, step, 'keywords', string_agg(v, chr(10) ORDER BY n), 1,
	(SELECT b.updated_by FROM boxes b WHERE b.project_id = firsts.project_id ORDER BY b.updated_at DESC LIMIT 1),
	(SELECT max(b.updated_at) FROM boxes b WHERE b.project_id = firsts.project_id)
FROM firsts
GROUP BY project_id, step
ON CONFLICT DO NOTHING;

DELETE FROM answers
WHERE step = 'smtp-message-screener'
	AND question ~ '^(sender-domain-[1-9][0-9]?|sender-[1-9][0-9]?-(mailbox|domain)|keyword-[1-9][0-9]?)$';
