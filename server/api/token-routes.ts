import { type Response, Router } from 'express'
import { z } from 'zod'
import type { Db } from '../../db/connection.js'
import type { Services } from '../app.js'
import { actorOf } from '../audit/audited.js'
import { authorize, can } from '../auth/permissions.js'
import { viewerOf } from '../auth/session.js'
import { NotFoundError } from '../errors.js'
import { chosenId, type FieldErrors, formState, requiredText, validateForm } from '../forms.js'
import { idFrom } from '../ids.js'
import { setNotice } from '../notice.js'
import { swedishOrder } from '../vocabulary.js'
import { createToken, findToken, listTokens, revokeToken } from './tokens.js'

const tokensHref = '/admin/api-nycklar'

const municipalityName = async (db: Db, id: number) =>
  (await db.selectFrom('municipality').select('name').where('id', '=', id).executeTakeFirst())?.name

const tokenFields = z.object({
  name: requiredText('Ange vad nyckeln är till, till exempel Intranätets rapportsida.', 100),
  municipalityId: chosenId('Välj kommunen vars uppgifter nyckeln ska ge åtkomst till.'),
})

/** The administrator's pages for the API's tokens: list, create (shown once) and revoke. */
export function apiTokenRoutes({ db, clock, config }: Services): Router {
  const router = Router()
  router.use(tokensHref, (_req, res, next) => {
    authorize(can.manageUsers(viewerOf(res)))
    next()
  })

  async function renderList(res: Response, locals: object, status = 200) {
    const [tokens, municipalities] = await Promise.all([
      listTokens(db),
      db.selectFrom('municipality').select(['id', 'name']).execute(),
    ])
    res.status(status).render('api/tokens', {
      title: 'API-nycklar',
      breadcrumbs: [{ href: '/admin/anvandare', text: 'Användare' }],
      tokens,
      municipalities: municipalities
        .sort((a, b) => swedishOrder.compare(a.name, b.name))
        .map((m) => ({ value: m.id, label: m.name })),
      ...locals,
    })
  }

  router.get(tokensHref, async (_req, res) => {
    await renderList(res, formState({}))
  })

  router.post(tokensHref, async (req, res) => {
    const actor = actorOf(res, clock)
    // Checked and written in one transaction: a municipality cannot go between the check and the insert.
    const result = await db.transaction().execute(async (trx) => {
      const parsed = await validateForm(
        tokenFields,
        req.body,
        async (v): Promise<FieldErrors> =>
          (await municipalityName(trx, v.municipalityId)) === undefined
            ? { municipalityId: 'Välj en kommun i listan.' }
            : {},
      )
      if (!parsed.ok) return parsed
      const made = await createToken(trx, actor, parsed.value)
      return {
        ok: true as const,
        made,
        ...parsed.value,
        municipalityName: await municipalityName(trx, parsed.value.municipalityId),
      }
    })
    if (!result.ok) return renderList(res, formState(req.body, result.errors), 400)
    // The token goes out in this page only: not in a redirect's address, a cookie or a log, and it is not stored.
    res.status(201).render('api/token-created', {
      title: 'API-nyckeln är skapad',
      breadcrumbs: [{ href: tokensHref, text: 'API-nycklar' }],
      name: result.name,
      municipalityName: result.municipalityName,
      token: result.made.token,
      prefix: result.made.prefix,
      origin: config.publicUrl,
    })
  })

  async function loadToken(id: unknown) {
    const token = await findToken(db, idFrom(id, 'API-nyckeln'))
    if (!token) throw new NotFoundError('API-nyckeln')
    return token
  }

  router.get(`${tokensHref}/:tokenId/aterkalla`, async (req, res) => {
    const token = await loadToken(req.params.tokenId)
    res.render('api/revoke', {
      title: `Återkalla API-nyckeln ${token.name}`,
      breadcrumbs: [{ href: tokensHref, text: 'API-nycklar' }],
      token,
      action: `${tokensHref}/${token.id}/aterkalla`,
      cancelHref: tokensHref,
    })
  })

  router.post(`${tokensHref}/:tokenId/aterkalla`, async (req, res) => {
    const token = await loadToken(req.params.tokenId)
    await db.transaction().execute((trx) => revokeToken(trx, actorOf(res, clock), token.id))
    setNotice(res, `API-nyckeln ${token.name} (${token.prefix}…) är återkallad och fungerar inte längre.`)
    res.redirect(303, tokensHref)
  })

  return router
}
