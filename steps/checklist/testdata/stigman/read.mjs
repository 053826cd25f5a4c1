// read.mjs reads each CKLB file named on the command line with STIG
// Manager's import parser and prints what it would import, as JSON: the
// asset, and for each checklist its benchmark, revision and reviews.
import { readFileSync } from 'node:fs'
import { reviewsFromCklb } from '@nuwcdivnpt/stig-manager-client-modules'

const importOptions = {
  autoStatus: { fail: 'saved', notapplicable: 'saved', pass: 'saved' },
  unreviewed: 'always',
  unreviewedCommented: 'notchecked',
  emptyDetail: 'ignore',
  emptyComment: 'ignore',
  allowCustom: true
}
const fieldSettings = {
  detail: { enabled: 'always', required: 'always' },
  comment: { enabled: 'findings', required: 'findings' }
}

const out = []
for (const path of process.argv.slice(2)) {
  try {
    const r = reviewsFromCklb({ data: readFileSync(path, 'utf8'), importOptions, fieldSettings, allowAccept: true, sourceRef: path })
    out.push({ file: path, target: r.target, checklists: r.checklists.map(c => ({ benchmarkId: c.benchmarkId, revisionStr: c.revisionStr, stats: c.stats, reviews: c.reviews.map(v => ({ ruleId: v.ruleId, result: v.result, detail: v.detail, comment: v.comment })) })) })
  } catch (e) {
    out.push({ file: path, error: String(e && e.message || e) })
  }
}
process.stdout.write(JSON.stringify(out))
