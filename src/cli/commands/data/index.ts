// `aptp data`: the dataset subcommands, each with its own options and --help.
import type { CliGroup } from '../../command';
import { dataExcludeCommand, dataExportCommand, dataIncludeCommand } from './curate';
import { dataImportCommand } from './import';
import { dataListCommand, dataRenameCommand, dataRmCommand, dataShowCommand } from './manage';
import { dataPrepareCommand } from './prepare';
import { dataReportCommand } from './report';

export const dataCommand: CliGroup = {
  name: 'data',
  summary: 'Import, list and curate image-caption datasets, report what is wrong with them, prepare the training cache',
  subcommands: [
    dataImportCommand, dataListCommand, dataShowCommand, dataReportCommand, dataRenameCommand, dataRmCommand,
    dataExcludeCommand, dataIncludeCommand, dataExportCommand, dataPrepareCommand,
  ],
};
