/** Command and view identifiers, as package.json contributes them. */
export const COMMANDS = {
  trainModel: 'rnnSentimentLab.trainModel',
  resumeTraining: 'rnnSentimentLab.resumeTraining',
  analyzeSentiment: 'rnnSentimentLab.analyzeSentiment',
  analyzeDocument: 'rnnSentimentLab.analyzeDocument',
  /** Internal (no menu): the dashboard's Document view reveals a line, exports the results. */
  revealDocumentLine: 'rnnSentimentLab.revealDocumentLine',
  exportDocument: 'rnnSentimentLab.exportDocument',
  openDashboard: 'rnnSentimentLab.openDashboard',
  cancelTraining: 'rnnSentimentLab.cancelTraining',
  evaluateModel: 'rnnSentimentLab.evaluateModel',
  selectActiveModel: 'rnnSentimentLab.selectActiveModel',
  deleteModel: 'rnnSentimentLab.deleteModel',
  installNativeBackend: 'rnnSentimentLab.installNativeBackend',
  importKerasModel: 'rnnSentimentLab.importKerasModel',
  exportKerasModel: 'rnnSentimentLab.exportKerasModel',
  clearSentimentLabels: 'rnnSentimentLab.clearSentimentLabels',
  clearExplanations: 'rnnSentimentLab.clearExplanations',
  showLog: 'rnnSentimentLab.showLog',
} as const;

export const VIEWS = {
  container: 'rnnSentimentLab',
  dashboard: 'rnnSentimentLab.dashboard',
} as const;

export const PANEL_VIEW_TYPE = 'rnnSentimentLab.dashboardPanel';

/** Context keys for `when` clauses. */
export const CONTEXT_KEYS = {
  training: 'rnnSentimentLab.training',
  hasModel: 'rnnSentimentLab.hasModel',
} as const;
