// The NHS.UK frontend's behaviour (error summary focus, header menu, ...). Pages work without it.
import { initAll } from './nhsuk/nhsuk-frontend.min.js'

initAll()
