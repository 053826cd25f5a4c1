-- The Message Screener's filter lists were fixed sets of boxes: five
-- sender domains (sender-domain-1 to -5), three sender addresses in two
-- parts (sender-N-mailbox and sender-N-domain) and five keywords
-- (keyword-1 to -5). Each list is now one answer holding a value a line:
-- sender-domains, senders (mailbox@domain) and keywords. Each project's
-- boxes become that answer, in box order, leaving out empty boxes. A sender
-- with only one of its two parts keeps what was typed ("sales@" or
-- "@example.net"): the wizard then asks for it again instead of silently
-- dropping it. The projects concerned move to a new revision, since their
-- answers hash changes.

UPDATE projects
SET revision = revision + 1,
	updated_at = strftime('%Y-%m-%dT%H:%M:%S.', 'now') || substr(strftime('%f', 'now'), 4) || '000000Z'
WHERE id IN (
	SELECT project_id FROM answers
	WHERE step = 'smtp-message-screener'
		AND (question GLOB 'sender-domain-[0-9]*' OR question GLOB 'sender-[0-9]*-mailbox'
			OR question GLOB 'sender-[0-9]*-domain' OR question GLOB 'keyword-[0-9]*')
);

INSERT INTO answers (project_id, step, question, value, version, updated_by, updated_at)
SELECT project_id, step, 'sender-domains',
	group_concat(value, char(10) ORDER BY CAST(substr(question, 15) AS INTEGER)),
	1, updated_by, max(updated_at)
FROM answers
WHERE step = 'smtp-message-screener' AND question GLOB 'sender-domain-[0-9]*' AND trim(value) <> ''
GROUP BY project_id, step;

INSERT INTO answers (project_id, step, question, value, version, updated_by, updated_at)
WITH parts AS (
	SELECT project_id, step, updated_by, updated_at,
		CAST(substr(question, 8, instr(substr(question, 8), '-') - 1) AS INTEGER) AS n,
		CASE WHEN question GLOB 'sender-[0-9]*-mailbox' THEN trim(value) END AS mailbox,
		CASE WHEN question GLOB 'sender-[0-9]*-domain' THEN trim(value) END AS domain
	FROM answers
	WHERE step = 'smtp-message-screener'
		AND (question GLOB 'sender-[0-9]*-mailbox' OR question GLOB 'sender-[0-9]*-domain')
), senders AS (
	SELECT project_id, step, n, coalesce(max(mailbox), '') AS mailbox, coalesce(max(domain), '') AS domain,
		updated_by, max(updated_at) AS updated_at
	FROM parts
	GROUP BY project_id, step, n
)
SELECT project_id, step, 'senders', group_concat(mailbox || '@' || domain, char(10) ORDER BY n),
	1, updated_by, max(updated_at)
FROM senders
WHERE mailbox <> '' OR domain <> ''
GROUP BY project_id, step;

INSERT INTO answers (project_id, step, question, value, version, updated_by, updated_at)
SELECT project_id, step, 'keywords',
	group_concat(value, char(10) ORDER BY CAST(substr(question, 9) AS INTEGER)),
	1, updated_by, max(updated_at)
FROM answers
WHERE step = 'smtp-message-screener' AND question GLOB 'keyword-[0-9]*' AND trim(value) <> ''
GROUP BY project_id, step;

DELETE FROM answers
WHERE step = 'smtp-message-screener'
	AND (question GLOB 'sender-domain-[0-9]*' OR question GLOB 'sender-[0-9]*-mailbox'
		OR question GLOB 'sender-[0-9]*-domain' OR question GLOB 'keyword-[0-9]*');
