/**
 * `GET /proofs/files/{id}` (issue 5) answers an image as an EXIF-free downscaled JPEG preview and
 * a PDF as stored, to the uploader and staff (parties of a proof using the file: see
 * proof-file-access.ts). A streamed reply with its own headers.
 */
import { Get, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Actor } from '@kob/kernel';
import { Access } from '../../auth/access.decorator';
import { CurrentActor } from '../../auth/access.guard';
import { Dispatches } from '../../http/dispatches.decorator';
import { routeId } from '../../http/route-id';
import { fileNotFound } from '../shared/proof-files';
import { GetProofFileQuery, type ProofFilePreview } from './get-proof-file.query';
import { ApiController, QueryController } from '../../http/routes';

@ApiController('proofs', 'proofs/files')
export class GetProofFileController extends QueryController {
  @Get(':id')
  @Access('sender', 'support', 'auditor')
  @Dispatches(GetProofFileQuery)
  @ApiProduces('image/jpeg', 'application/pdf')
  @ApiOkResponse({
    description: 'Images: an EXIF-free JPEG preview (longest side 1600 px); PDFs: as stored',
  })
  async preview(
    @Res({ passthrough: true }) reply: FastifyReply,
    @CurrentActor() actor: Actor,
    @Param('id') rawId: string,
  ): Promise<Buffer> {
    const query = new GetProofFileQuery(actor, routeId(rawId, fileNotFound));
    const preview: ProofFilePreview = await this.queryBus.execute(query);
    void reply
      .header('content-type', preview.mime)
      .header('content-disposition', `inline; filename="${preview.filename}"`)
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      // A PDF is served as uploaded: a browser opening it may run none of its scripts or forms.
      .header('content-security-policy', "sandbox; default-src 'none'");
    return preview.body;
  }
}
