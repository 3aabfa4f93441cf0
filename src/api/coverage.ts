/** The ATT&CK T1505 coverage of a rule set. */
export { buildCoverage } from '../coverage/matrix.js';
export { coverageJson, navigatorLayer, renderTable as renderCoverageTable } from '../coverage/render.js';
