import { describe, expect, it } from 'vitest'
import { parseForm } from '../forms.js'
import { deviationForm, inFieldOrder, reportForm, runReport } from './run-schema.js'
import { inFormOrder } from './schema.js'

const performed = {
  result: 'no_remarks',
  performed_on: '2021-03-01',
  population: 'Fakturor',
  population_size: '1 200',
  sample_size: '40',
  sampling: 'random',
  checked_count: '40',
  deviation_count: '0',
}

describe('the report of a control run', () => {
  it('keeps no day or sample of a control not performed, and no reason of one performed', () => {
    const form = reportForm('2021-03-15', 2021)
    // A day after today would be refused, were it kept.
    const notPerformed = parseForm(form, {
      ...performed,
      result: 'not_performed',
      not_performed_reason: 'Sjukdom',
      performed_on: '2021-04-01',
      performed_by: 'Anna',
      comment: 'Görs i nästa kvartal.',
    })
    expect(notPerformed).toMatchObject({
      ok: true,
      value: {
        result: 'not_performed',
        not_performed_reason: 'Sjukdom',
        performed_on: null,
        performed_by: 'Anna',
        population: '',
        population_size: null,
        sample_size: null,
        sampling: null,
        checked_count: null,
        deviation_count: null,
        comment: 'Görs i nästa kvartal.',
      },
    })
    const done = parseForm(form, { ...performed, not_performed_reason: 'Kvar från ett tidigare val' })
    expect(done).toMatchObject({
      ok: true,
      value: { not_performed_reason: '', performed_on: '2021-03-01', population_size: 1200, sampling: 'random' },
    })
  })

  it('bounds the day by the plan’s year and today on the form only: an import brings reports of any year', () => {
    const earlier = { ...performed, performed_on: '2019-05-02' }
    expect(parseForm(reportForm('2021-03-15', 2021), earlier)).toEqual({
      ok: false,
      errors: { performed_on: 'Datumet kan inte vara före planens år, 2021.' },
    })
    expect(parseForm(runReport, earlier)).toMatchObject({ ok: true, value: { performed_on: '2019-05-02' } })
    expect(parseForm(runReport, { ...earlier, sample_size: '2000', result: '' })).toEqual({
      ok: false,
      errors: {
        result: 'Välj resultatet av kontrollen.',
        sample_size: 'Stickprovet kan inte vara större än populationen.',
      },
    })
  })
})

describe('a deviation', () => {
  it('keeps a reason only for a decision of no measure', () => {
    const deviation = { description: 'Utdrag saknades', severity: 'high', no_measure_reason: 'Rättat direkt' }
    expect(parseForm(deviationForm, { ...deviation, decision: 'measure_required' })).toMatchObject({
      ok: true,
      value: { decision: 'measure_required', no_measure_reason: '' },
    })
    expect(parseForm(deviationForm, { ...deviation, decision: 'no_measure' })).toMatchObject({
      ok: true,
      value: { decision: 'no_measure', no_measure_reason: 'Rättat direkt' },
    })
  })
})

describe('a refused form’s messages', () => {
  it('read in the order of its fields, whichever rule found them', () => {
    const report = parseForm(reportForm('2021-03-15', 2021), { result: 'no_remarks', population_size: 'tio' })
    expect(report.ok).toBe(false)
    if (report.ok) return
    expect(Object.keys(report.errors)).toEqual(['population_size', 'performed_on'])
    expect(Object.keys(inFieldOrder(report.errors, 'report'))).toEqual(['performed_on', 'population_size'])
    expect(Object.keys(inFormOrder({ methodOwn: 'a', title: 'b', riskId: 'c' }))).toEqual([
      'riskId',
      'title',
      'methodOwn',
    ])
  })
})
