/** The body of `POST /escrows/{id}/deposit`. */
import { AmountField } from '../../http/dto-fields';

export class DepositBody {
  @AmountField({ example: '250.00' })
  amount!: string;
}
