import {checkup} from '../../lib/command.js'

export default checkup('diagnose', {multipleApps: true})
