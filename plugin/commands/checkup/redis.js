import {checkup} from '../../lib/command.js'

export default checkup('redis-health')
