-- The Message Screener's filter lists were fixed sets of boxes: five
-- sender domains (sender-domain-1 to -5), three sender addresses in two
-- parts (sender-N-mailbox and sender-N-domain) and five keywords
-- (keyword-1 to -5). Each list is now one answer holding a value a line:
-- sender-domains, senders (mailbox@domain) and keywords.
--
-- Each project's boxes (numbered 1 to 99, as steps/screener's upgrade of
-- old project files reads them) become that answer, in box order, in the
-- form the new questions store: trimmed, domains and mailboxes in lower
-- case, empty boxes and repeats left out. A sender with only one of its
-- two parts keeps what was typed ("sales@" or "@example.net"): the wizard
-- then asks for it again instead of silently dropping it. An answer that
-- somehow exists already is kept. The projects concerned move to a new
-- revision, since their answers hash changes.

UPDATE projects
SET revision = revision + 1,
	updated_at = strftime('%Y-%m-%dT%H:%M:%S.', 'now') || substr(strftime('%f', 'now'), 4) || '000000Z'
WHERE id IN (
	SELECT project_id FROM answers
	WHERE step = 'smtp-message-screener' AND (
		question GLOB 'sender-domain-[1-9]' OR question GLOB 'sender-domain-[1-9][0-9]'
		OR question GLOB 'sender-[1-9]-mailbox' OR question GLOB 'sender-[1-9][0-9]-mailbox'
		OR question GLOB 'sender-[1-9]-domain' OR question GLOB 'sender-[1-9][0-9]-domain'
		OR question GLOB 'keyword-[1-9]' OR question GLOB 'keyword-[1-9][0-9]')
);

INSERT OR IGNORE INTO answers (project_id, step, question, value, version, updated_by, updated_at)
WITH boxes AS (
	SELECT project_id, step, updated_by, updated_at,
		CAST(substr(question, 15) AS INTEGER) AS n,
		lower(rtrim(trim(value, ' ' || char(9, 10, 13)), '.')) AS v
	FROM answers
	WHERE step = 'smtp-message-screener'
		AND (question GLOB 'sender-domain-[1-9]' OR question GLOB 'sender-domain-[1-9][0-9]')
), firsts AS (
	SELECT project_id, step, v, min(n) AS n FROM boxes WHERE v <> '' GROUP BY project_id, step, v
)
SELECT project_id, step, 'sender-domains', group_concat(v, char(10) ORDER BY n), 1,
	(SELECT b.updated_by FROM boxes b WHERE b.project_id = firsts.project_id ORDER BY b.updated_at DESC LIMIT 1),
	(SELECT max(b.updated_at) FROM boxes b WHERE b.project_id = firsts.project_id)
FROM firsts
GROUP BY project_id, step;

INSERT OR IGNORE INTO answers (project_id, step, question, value, version, updated_by, updated_at)
WITH parts AS (
	SELECT project_id, step, updated_by, updated_at,
		CAST(substr(question, 8, instr(substr(question, 8), '-') - 1) AS INTEGER) AS n,
		CASE WHEN question GLOB 'sender-*-mailbox' THEN lower(trim(value, ' ' || char(9, 10, 13))) END AS mailbox,
		CASE WHEN question GLOB 'sender-*-domain' THEN lower(rtrim(trim(value, ' ' || char(9, 10, 13)), '.')) END AS domain
	FROM answers
	WHERE step = 'smtp-message-screener' AND (
		question GLOB 'sender-[1-9]-mailbox' OR question GLOB 'sender-[1-9][0-9]-mailbox'
		OR question GLOB 'sender-[1-9]-domain' OR question GLOB 'sender-[1-9][0-9]-domain')
), senders AS (
	SELECT project_id, step, n, coalesce(max(mailbox), '') || '@' || coalesce(max(domain), '') AS v
	FROM parts
	GROUP BY project_id, step, n
), firsts AS (
	SELECT project_id, step, v, min(n) AS n FROM senders WHERE v <> '@' GROUP BY project_id, step, v
)
SELECT project_id, step, 'senders', group_concat(v, char(10) ORDER BY n), 1,
	(SELECT p.updated_by FROM parts p WHERE p.project_id = firsts.project_id ORDER BY p.updated_at DESC LIMIT 1),
	(SELECT max(p.updated_at) FROM parts p WHERE p.project_id = firsts.project_id)
FROM firsts
GROUP BY project_id, step;

INSERT OR IGNORE INTO answers (project_id, step, question, value, version, updated_by, updated_at)
WITH boxes AS (
	SELECT project_id, step, updated_by, updated_at,
		CAST(substr(question, 9) AS INTEGER) AS n,
		trim(value, ' ' || char(9, 10, 13)) AS v
	FROM answers
	WHERE step = 'smtp-message-screener'
		AND (question GLOB 'keyword-[1-9]' OR question GLOB 'keyword-[1-9][0-9]')
), firsts AS (
	SELECT project_id, step, v, min(n) AS n FROM boxes WHERE v <> '' GROUP BY project_id, step, v
)
SELECT project_id, step, 'keywords', group_concat(v, char(10) ORDER BY n), 1,
	(SELECT b.updated_by FROM boxes b WHERE b.project_id = firsts.project_id ORDER BY b.updated_at DESC LIMIT 1),
	(SELECT max(b.updated_at) FROM boxes b WHERE b.project_id = firsts.project_id)
FROM firsts
GROUP BY project_id, step;

DELETE FROM answers
WHERE step = 'smtp-message-screener' AND (
	question GLOB 'sender-domain-[1-9]' OR question GLOB 'sender-domain-[1-9][0-9]'
	OR question GLOB 'sender-[1-9]-mailbox' OR question GLOB 'sender-[1-9][0-9]-mailbox'
	OR question GLOB 'sender-[1-9]-domain' OR question GLOB 'sender-[1-9][0-9]-domain'
	OR question GLOB 'keyword-[1-9]' OR question GLOB 'keyword-[1-9][0-9]');
