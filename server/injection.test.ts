import { describe, expect, it } from 'vitest'
import { makeAuthorityReportPdf } from '../reports/authority-report.js'
import { makeReportPdf } from '../reports/make-report.js'
import { demoPlan } from '../test/helpers/builders.js'
import { pageTexts, squash } from '../test/helpers/pdf.js'
import { createTestApp, html, submitForm, testPdf } from '../test/helpers/test-app.js'
import { createViews } from './views.js'

// Script and HTML typed into every text field must come out as the text that was typed: in every page and
// in the PDF, never as markup.
const payload = `<script>alert('x')</script><img src=x onerror=alert(1)>"'&`

describe('text from users', () => {
  it('is inert in every page and in the report PDF', async () => {
    const { agent, db } = await createTestApp()
    const { planId, unit } = await demoPlan(db)
    const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
    await submitForm(
      agent,
      `/planer/${planId}/redigera`,
      {
        committeeId: String(committee.id),
        year: '2020',
        title: `Plan ${payload}`,
        introduction: payload,
        measuresIntroduction: payload,
      },
      303,
    )
    const risk = await submitForm(
      agent,
      `/planer/${planId}/risker/ny`,
      {
        title: `Risk ${payload}`,
        description: payload,
        likelihood: '',
        consequence: '',
        treatment: 'review',
        scope: 'committee',
      },
      303,
    )
    const riskId = String(risk.headers.location).split('/').pop() as string
    const measure = await submitForm(
      agent,
      `/planer/${planId}/atgarder/ny?risk=${riskId}`,
      {
        riskId,
        title: `Åtgärd ${payload}`,
        whatToDo: payload,
        progress: payload,
        ownerUnitId: String(unit('HR-avdelningen')),
        responsiblePerson: payload,
        dueDate: '',
        status: 'in_progress',
      },
      303,
    )
    await submitForm(
      agent,
      `/planer/${planId}/granskningar/ny`,
      { diaryNumber: `GRF-<b>1</b>`, title: `Granskning ${payload}`, meetingDate: '', minutesParagraph: '', riskId },
      303,
    )

    await expectInert(agent, [
      '/planer',
      `/planer/${planId}`,
      `/planer/${planId}/risker/${riskId}`,
      String(measure.headers.location),
      `/planer/${planId}/granskningar`,
      `/planer/${planId}/rapport`,
      '/logg',
    ])

    const made = await makeReportPdf({ db, views: createViews(), pdf: testPdf }, planId, {
      madeAt: new Date('2021-03-15T09:00:00Z'),
    })
    const text = squash(pageTexts(made?.pdf ?? new Uint8Array()).join(' '))
    expect(text).toContain(`Åtgärd: Åtgärd <script>alert('x')</script><img src=x onerror=alert(1)>"'&`)
  })

  it('is inert in the pages of external inspections and in both of their PDFs', async () => {
    const { agent, db } = await createTestApp()
    const { planId, risks } = await demoPlan(db)
    const committee = await db.selectFrom('committee').select('id').executeTakeFirstOrThrow()
    const inspection = await submitForm(
      agent,
      '/externa-granskningar/ny',
      {
        committeeId: String(committee.id),
        authority: 'ivo',
        kind: 'supervision',
        title: `Tillsyn ${payload}`,
        authorityDiaryNumber: payload.slice(0, 60),
        principal: `Huvudman ${payload}`,
        subject: payload,
        period: payload.slice(0, 100),
        decisionDate: '2020-03-02',
        reportDeadline: '2020-09-01',
        signatories: `Beslutsfattare: ${payload}`,
      },
      303,
    )
    const inspectionPath = String(inspection.headers.location)
    const area = await submitForm(
      agent,
      `${inspectionPath}/omraden/ny`,
      {
        heading: `Område ${payload}`,
        legalBasis: payload,
        initialAssessment: payload,
        requiredDevelopment: payload,
        outcome: 'further_measures_needed',
        outcomeComment: payload,
      },
      303,
    )
    const areaPath = String(area.headers.location)
    await submitForm(agent, areaPath, { riskId: String(risks[0]?.id) }, 303, `${areaPath}/risker`)

    await expectInert(agent, [
      '/externa-granskningar',
      '/externa-granskningar/tidsfrister',
      inspectionPath,
      areaPath,
      `/planer/${planId}/risker/${risks[0]?.id}`,
      `/planer/${planId}/rapport`,
      '/logg',
    ])

    const views = createViews()
    const account = await makeAuthorityReportPdf({ db, views, pdf: testPdf }, Number(inspectionPath.split('/').pop()), {
      today: '2020-08-01',
      signer: { name: `Namn ${payload}`, role: payload, email: '', phone: '' },
    })
    // A heading may wrap anywhere, and pdftotext then reads a space there.
    const bare = (text: string) => text.replace(/\s/g, '')
    const accountText = bare(pageTexts(account).join(''))
    expect(accountText).toContain(bare(`Utvecklingsområde: Område ${payload}`))
    expect(accountText).toContain(bare(`Namn ${payload}${payload}`))
    const made = await makeReportPdf({ db, views, pdf: testPdf }, planId, { madeAt: new Date('2021-03-15T09:00:00Z') })
    expect(squash(pageTexts(made?.pdf ?? new Uint8Array()).join(' '))).toContain(`Tillsyn ${payload}`)
  })
})

/** Each page shows the payload as text: no inline script, image or handler came from it. */
async function expectInert(agent: Awaited<ReturnType<typeof createTestApp>>['agent'], paths: string[]) {
  for (const path of paths) {
    const page = html((await agent.get(path).expect(200)).text)
    // The app's own scripts are external files; none is inline, no image and no handler came from the text.
    expect(page('script:not([src])'), path).toHaveLength(0)
    expect(page('img, [onerror]'), path).toHaveLength(0)
    expect(page('main').text(), path).toContain("<script>alert('x')</script>")
  }
}
